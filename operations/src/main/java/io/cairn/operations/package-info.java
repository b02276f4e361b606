/**
 * The operations layer: one class per use case between the engines (repository, vixmnt-bridge,
 * vsphere, mount) and the front-ends (cli, http-ui), so each use case is written once and both
 * front-ends only translate input, call it and render its result.
 *
 * <p>Vocabulary: a <b>use case</b> takes its options as an immutable, validated record, reports
 * through a {@link io.cairn.operations.job.Job} (phases, bytes, log lines, cancel) and returns a
 * typed result whose {@code summary()} is the one line both front-ends show. Packages:
 * {@code backup} (files, vCenter VMs), {@code restore} (to a folder, onto vSphere), {@code mount},
 * {@code maintenance} (check, prune, gc), {@code job}, {@code source} (what a {@code file:} source
 * is, the transports) and {@code disk} (the adapters between the disk layer, vSphere and the
 * backup engine).
 */
package io.cairn.operations;

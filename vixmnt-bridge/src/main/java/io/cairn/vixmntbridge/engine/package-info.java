/**
 * Adapters between the disk layer and the repository's backup engine: restored disks written as
 * VMDK files ({@link io.cairn.vixmntbridge.engine.VmdkOutput}). The only package of this module that
 * knows the repository.
 */
package io.cairn.vixmntbridge.engine;

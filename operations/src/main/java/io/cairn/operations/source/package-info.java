/**
 * What a backup reads: a {@code file:} source ({@link io.cairn.operations.source.FileVm}: a raw
 * image, a VMDK, or a {@code .vmx} read by {@link io.cairn.operations.source.VmxFile}) and the names
 * of the vCenter transports ({@link io.cairn.operations.source.Transports}).
 */
package io.cairn.operations.source;

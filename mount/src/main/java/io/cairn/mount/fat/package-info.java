/**
 * A read-only, userspace reader for FAT12, FAT16 and FAT32 volumes found in guest disks, so that
 * the FUSE tree can serve their files for file-level restore without a kernel vfat driver.
 *
 * <p>Reference: Microsoft, "FAT32 File System Specification", version 1.03 (December 6, 2000,
 * "FAT: General Overview of On-Disk Format", the document known as {@code fatgen103}). Its
 * sections are not numbered: this package's Javadoc cites them by heading ("Boot Sector and BPB",
 * "FAT Data Structure", "FAT Type Determination", "FAT Directory Structure", "FAT Long Directory
 * Entries").
 *
 * <p>Vocabulary:
 * <ul>
 *   <li><b>volume</b>: the {@link io.cairn.mount.image.Image} whose byte 0 is the boot sector;</li>
 *   <li><b>BPB</b>: the BIOS Parameter Block in the boot sector ({@code BootSector});</li>
 *   <li><b>cluster</b>: the allocation unit of the data region, numbered from 2;</li>
 *   <li><b>FAT</b>: the table mapping each cluster to the next one of its file ({@code FatTable});</li>
 *   <li><b>chain</b>: the clusters of one file or directory in order, kept as runs of consecutive
 *       clusters ({@code ClusterChain});</li>
 *   <li><b>entry</b>: a 32-byte directory entry, decoded with its long name into a
 *       {@link io.cairn.mount.fat.FatEntry}.</li>
 * </ul>
 *
 * <p>Guest volumes are untrusted input: every number read from them is checked before use, every
 * walk is bounded, and damage found in one file's chain or one directory fails only that file or
 * directory, with a {@link io.cairn.mount.fat.FatFormatException} naming what is wrong.
 */
package io.cairn.mount.fat;

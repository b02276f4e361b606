/**
 * The repository's {@link io.cairn.repository.store.Store} on an S3 object store (Ceph RADOS
 * Gateway, AWS S3, MinIO). Only this package uses the AWS SDK.
 */
package io.cairn.s3;

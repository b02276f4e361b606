/**
 * The repository's checked errors: {@link io.cairn.repository.error.RepositoryException} and its kinds (damaged object,
 * missing object, wrong password, not a repository, unknown backup). Every layer of the repository throws them and
 * none of them depends on a layer, so they sit in a package of their own below the store: the facade and the layers
 * it assembles import them without a package cycle. Front-ends translate them once, at their edge.
 */
package io.cairn.repository.error;

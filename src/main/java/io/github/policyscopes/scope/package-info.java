/**
 * The scope grammar, pure core: a scope string is a {@link io.github.policyscopes.scope.Scope},
 * either a {@link io.github.policyscopes.scope.PlainScope} or a {@link
 * io.github.policyscopes.scope.ConfigScope} with its compiled {@link
 * io.github.policyscopes.scope.PathPattern}; parsing, matching and the containment and intersection
 * of patterns ({@link io.github.policyscopes.scope.PatternAlgebra}). Depends on the JDK only: no
 * Keycloak or other framework type, and neither {@code access} nor {@code policy} (enforced by
 * {@code PureCoreArchitectureTest}).
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.scope;

import org.jspecify.annotations.NullMarked;

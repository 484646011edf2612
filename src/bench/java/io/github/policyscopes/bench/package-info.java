/**
 * Benchmarks (profile {@code -Pbench}, not part of the JAR): the config API's per-request decision
 * against a Spring-style baseline ({@link io.github.policyscopes.bench.ScopeDecisionBenchmark}) and
 * token issuance throughput of a policy-bound client against an unbound one on a real server
 * ({@link io.github.policyscopes.bench.IssuanceThroughput}), and the config API's listings and
 * writes at 10 to 10,000 policies against Keycloak's own admin API on a real server ({@link
 * io.github.policyscopes.bench.ConfigApiScale}). May depend on anything the main code and the test
 * classpath hold; nothing depends on it.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.bench;

import org.jspecify.annotations.NullMarked;

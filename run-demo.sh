#!/usr/bin/env bash
# Builds the extension, fetches Keycloak 26.7.5 through Maven, installs the JAR and the demo realm
# (realm-export/), and starts Keycloak in dev mode on http://localhost:8080 (admin / admin), with its
# embedded H2 database under kc-demo/. Needs only Java 17 and Maven.
#
#   ./run-demo.sh           start (the realm is imported on the first start, then kept)
#   ./run-demo.sh --fresh   forget the database and import the demo realm again
#   ./run-demo.sh --cluster production mode instead: PostgreSQL (a Maven artifact, no Docker) and
#                           two clustered nodes on :8080 and :8081, as ClusterIT runs them; the
#                           database is discarded on Ctrl-C
set -euo pipefail
cd "$(dirname "$0")"

demo_dir="$PWD/kc-demo"
# the build names the JAR (target/<finalName>.jar): asked, never guessed with a glob that would
# also match an older version's JAR or the release's -sources and -javadoc JARs
mvn -B -q -DskipTests -Dkeycloak.dist.dir="$demo_dir" package dependency:unpack@unpack-keycloak \
  help:evaluate -Dexpression=project.build.finalName -Doutput=target/final-name.txt
jar="target/$(cat target/final-name.txt).jar"
home="$demo_dir/keycloak-26.7.5"

if [[ "${1:-}" == "--cluster" ]]; then
  mvn -B -q -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt \
    dependency:build-classpath
  unset JAVA_OPTS
  exec java -cp "target/test-classes:$(cat target/test-classpath.txt)" \
    io.github.policyscopes.it.cluster.ClusterDemo "$home" "$demo_dir/cluster" \
    "$jar" realm-export "$demo_dir/cluster-logs" \
    "${KC_HTTP_PORT:-8080}" "${KC_HTTP_PORT_B:-8081}"
fi

if [[ "${1:-}" == "--fresh" ]]; then
  rm -rf "$home/data/h2"
fi
cp "$jar" "$home/providers/policy-bound-scopes.jar"
mkdir -p "$home/data/import"
cp realm-export/*.json "$home/data/import/"

export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
unset JAVA_OPTS
exec "$home/bin/kc.sh" start-dev --import-realm --http-port="${KC_HTTP_PORT:-8080}"

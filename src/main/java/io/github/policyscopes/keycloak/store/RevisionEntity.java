package io.github.policyscopes.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * The revision of one config API resource (a token policy, or a managed client with its secret):
 * the extension's own row, because Keycloak's entities carry no version. Every write through the
 * config API takes this row's lock and bumps {@link #version} in the transaction that writes the
 * resource, so across every node of a cluster exactly one of two writers that saw the same revision
 * commits ({@link Revisions}). Table {@code PBS_REVISION}, created by {@code
 * META-INF/policy-bound-scopes-changelog.xml}.
 */
@Entity
@Table(name = "PBS_REVISION")
public class RevisionEntity {

  @Id
  @Column(name = "ID", length = 128)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Version
  @Column(name = "VERSION", nullable = false)
  private long version;

  /** When the resource was last written through the config API (epoch milliseconds). */
  @Column(name = "UPDATED", nullable = false)
  private long updated;

  protected RevisionEntity() {}

  RevisionEntity(String id, String realmId, long updated) {
    this.id = id;
    this.realmId = realmId;
    this.updated = updated;
  }

  long version() {
    return version;
  }

  void touch(long now) {
    // a change of a persistent field: the flush writes it with version + 1, where version = read
    this.updated = now == updated ? now + 1 : now;
  }
}

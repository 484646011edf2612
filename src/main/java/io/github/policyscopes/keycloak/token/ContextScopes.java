package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.scope.ClientScopeGrant;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.ProtocolMapperModel;

/**
 * What {@link SessionScopes} read of a client session context's client scopes, in one walk: the
 * ones the policy decides (their names, whether Keycloak lists them in {@code scope}, their mappers
 * of the client's protocol), which of them Keycloak parameterizes, and the mapper models the
 * context runs. Holds no per-session model of Keycloak's, only names and the mapper models of its
 * realm cache, so that a bound client's facts can keep it for the next context Keycloak builds
 * alike ({@link ClientFacts#scopesOf}, docs/adr/0045).
 *
 * <p>For each granted set asked, which governed scopes it drops and the key of their claim plans
 * ({@link #dropped}) is worked out once and kept here: a pure function of what was read.
 */
final class ContextScopes {

  /** The most granted sets whose dropped scopes are kept. */
  static final int MAX_DROPPED = 4;

  /** The most scopes of a granted set whose dropped scopes are kept (it names them all). */
  static final int MAX_GRANTED_SCOPES = 16;

  /** The most characters, over all its scopes, of a granted set whose dropped scopes are kept. */
  static final int MAX_GRANTED_CHARS = 256;

  /** A client scope of the context that the policy decides. */
  record Governed(String name, boolean listed, List<ProtocolMapperModel> mappers) {}

  /**
   * A client scope of the context, as this was read from it: its name in the context ({@link
   * #ITSELF} for the client itself; a decorated {@code organization:acme} has the id of {@code
   * organization}), its place (below {@value #MAX_SOURCES}), and for a scope none of whose mappers
   * the context runs (so that no mapper object vouches for its version) its {@link
   * SessionScopes#flags}; {@link #VERSIONED} for the others.
   */
  record Slot(String name, int place, int flags) {}

  /** The flags of a slot whose version its mapper objects in the context vouch for. */
  static final int VERSIONED = -1;

  /** The name a slot gives the client itself, which is no client scope's. */
  static final String ITSELF = "\u0000client";

  /** The most client scopes of a context that can be kept: one bit each in {@link #readFrom}. */
  static final int MAX_SOURCES = Long.SIZE;

  /**
   * The governed client scopes a granted set drops, by name, and the key of the plans for their
   * mappers (null when they carry none of the client's protocol).
   */
  record Dropped(List<String> granted, List<String> scopes, ClaimPlans.@Nullable Key plans) {}

  private final List<Governed> governed;
  private final List<String> governedNames;
  private final List<String> unlisted;
  private final Set<String> parameterized;
  private final ProtocolMapperModel[] mappers;
  private final @Nullable Map<String, Slot> sources;
  private volatile Dropped[] dropped = new Dropped[0];
  private int nextSlot;

  /**
   * @param mappers the mapper models the context runs, as Keycloak gives them; taken, not copied
   * @param sources the context's client scopes by id; null when this is not to be kept (a scope
   *     nameless or twice, more than {@value #MAX_SOURCES})
   */
  ContextScopes(
      List<Governed> governed,
      Set<String> parameterized,
      ProtocolMapperModel[] mappers,
      @Nullable Map<String, Slot> sources) {
    this.governed = List.copyOf(governed);
    List<String> names = new ArrayList<>(governed.size());
    List<String> notListed = new ArrayList<>(2);
    for (Governed g : governed) {
      names.add(g.name());
      if (!g.listed() && !notListed.contains(g.name())) {
        notListed.add(g.name());
      }
    }
    this.governedNames = List.copyOf(names);
    this.unlisted = List.copyOf(notListed);
    this.parameterized = Set.copyOf(parameterized);
    this.mappers = mappers;
    this.sources = sources == null ? null : Map.copyOf(sources);
  }

  /** Whether this may be kept for other contexts ({@link #readFrom}). */
  boolean keepable() {
    return sources != null;
  }

  /**
   * Whether reading {@code ctx} again would give this, provided no client scope or client changed
   * since (ADR 0045): it holds the same client scopes by id and by name, each once, those without a
   * mapper in it with the same flags, and runs the very same mapper objects, none more.
   */
  boolean readFrom(ClientSessionContext ctx) {
    return sources != null && sameSources(sources, ctx) && sameMappers(ctx);
  }

  private static boolean sameSources(Map<String, Slot> sources, ClientSessionContext ctx) {
    long seen = 0;
    int n = 0;
    Predicate<ClientScopeModel> parameterized = null;
    for (Iterator<ClientScopeModel> it = ctx.getClientScopesStream().iterator(); it.hasNext(); ) {
      ClientScopeModel scope = it.next();
      Slot slot = sources.get(scope.getId());
      if (slot == null || !slot.name().equals(nameOf(scope))) {
        return false;
      }
      if (slot.flags() != VERSIONED) {
        if (parameterized == null) {
          parameterized = SessionScopes.parameterizedIn(ctx);
        }
        if (slot.flags() != SessionScopes.flags(scope, parameterized)) {
          return false;
        }
      }
      long bit = 1L << slot.place();
      if ((seen & bit) != 0) {
        return false;
      }
      seen |= bit;
      n++;
    }
    return n == sources.size();
  }

  private boolean sameMappers(ClientSessionContext ctx) {
    int n = 0;
    for (Iterator<ProtocolMapperModel> it = ctx.getProtocolMappersStream().iterator();
        it.hasNext(); ) {
      if (n >= mappers.length || !runs(it.next(), n)) {
        return false;
      }
      n++;
    }
    // as many, each one of them, and the models of one context are distinct objects: the same set
    return n == mappers.length;
  }

  /** The name a slot gives a client scope of a context. */
  static @Nullable String nameOf(ClientScopeModel scope) {
    return scope instanceof ClientModel ? ITSELF : scope.getName();
  }

  /** The names of the client scopes the policy decides, in the context's order. */
  List<String> governedNames() {
    return governedNames;
  }

  /**
   * The names of the governed client scopes that Keycloak leaves out of {@code scope} ({@code
   * include.in.token.scope=false}), each once.
   */
  List<String> unlisted() {
    return unlisted;
  }

  /** The names of the context's client scopes that Keycloak reads as {@code name:parameter}. */
  Set<String> parameterized() {
    return parameterized;
  }

  /**
   * Whether {@code model} is, by identity, one of the mapper models this was read with (the very
   * object of Keycloak's realm cache); {@code hint} is where it is looked for first.
   */
  @SuppressWarnings("ReferenceEquality") // the very objects of Keycloak's cache, on purpose
  boolean runs(ProtocolMapperModel model, int hint) {
    if (hint < mappers.length && mappers[hint] == model) {
      return true;
    }
    for (ProtocolMapperModel m : mappers) {
      if (m == model) {
        return true;
      }
    }
    return false;
  }

  /**
   * The governed client scopes {@code granted} does not grant (by the one rule of {@link
   * ClientScopeGrant}) and the key of their mappers' plans; kept for the last {@value #MAX_DROPPED}
   * granted sets asked.
   */
  Dropped dropped(List<String> granted) {
    Dropped[] known = dropped;
    for (Dropped d : known) {
      if (d.granted().equals(granted)) {
        return d;
      }
    }
    ClientScopeGrant grant = new ClientScopeGrant(granted, parameterized);
    List<String> scopes = new ArrayList<>();
    List<ProtocolMapperModel> droppedMappers = new ArrayList<>();
    for (Governed g : governed) {
      if (!grant.grants(g.name())) {
        scopes.add(g.name());
        droppedMappers.addAll(g.mappers());
      }
    }
    Dropped made =
        new Dropped(
            List.copyOf(granted),
            List.copyOf(scopes),
            droppedMappers.isEmpty()
                ? null
                : ClaimPlans.key(droppedMappers.toArray(ProtocolMapperModel[]::new), mappers));
    if (granted.size() <= MAX_GRANTED_SCOPES && chars(granted) <= MAX_GRANTED_CHARS) {
      keep(made);
    }
    return made;
  }

  private static int chars(List<String> scopes) {
    int chars = 0;
    for (String scope : scopes) {
      chars += scope.length();
    }
    return chars;
  }

  private synchronized void keep(Dropped made) {
    Dropped[] now = dropped;
    for (Dropped d : now) {
      if (d.granted().equals(made.granted())) {
        return; // kept meanwhile by a request like this one
      }
    }
    if (now.length < MAX_DROPPED) {
      Dropped[] more = Arrays.copyOf(now, now.length + 1);
      more[now.length] = made;
      dropped = more;
    } else {
      Dropped[] replaced = now.clone();
      replaced[nextSlot] = made;
      nextSlot = (nextSlot + 1) % MAX_DROPPED;
      dropped = replaced;
    }
  }

  /**
   * The estimated bytes this retains at most: what was read, the mapper models it holds (their ids,
   * names, types and configs; the governed scopes' may include disabled ones the context does not
   * run), and room for {@value #MAX_DROPPED} dropped sets as large as they may be kept.
   */
  long estimatedBytes() {
    long bytes = Footprint.object(7) + Footprint.refArray(mappers.length);
    for (ProtocolMapperModel m : mappers) {
      bytes += modelBytes(m);
    }
    int governedMappers = 0;
    bytes += Footprint.list(governed.size()) + 2 * Footprint.strings(governedNames);
    for (Governed g : governed) {
      bytes += Footprint.object(3) + Footprint.list(g.mappers().size());
      for (ProtocolMapperModel m : g.mappers()) {
        if (!runs(m, 0)) {
          bytes += modelBytes(m); // one the context does not run: not counted above
        }
      }
      governedMappers += g.mappers().size();
    }
    bytes += Footprint.strings(unlisted) + Footprint.strings(parameterized);
    if (sources != null) {
      bytes += Footprint.hashed(sources.size());
      for (Map.Entry<String, Slot> e : sources.entrySet()) {
        bytes +=
            Footprint.string(e.getKey())
                + Footprint.object(3)
                + Footprint.string(e.getValue().name());
      }
    }
    long oneDropped =
        Footprint.object(3)
            + Footprint.list(MAX_GRANTED_SCOPES)
            + MAX_GRANTED_SCOPES * Footprint.string(0)
            + Footprint.string(MAX_GRANTED_CHARS)
            + Footprint.list(governed.size())
            + ClaimPlans.keyBytes(governedMappers, mappers.length);
    return bytes + Footprint.refArray(MAX_DROPPED) + MAX_DROPPED * oneDropped;
  }

  /** The estimated bytes of a mapper model: its ids, names, type and config. */
  static long modelBytes(ProtocolMapperModel m) {
    long bytes =
        Footprint.object(6)
            + Footprint.string(m.getId())
            + Footprint.string(m.getName())
            + Footprint.string(m.getProtocol())
            + Footprint.string(m.getProtocolMapper());
    Map<String, String> config = m.getConfig();
    if (config != null) {
      bytes += Footprint.hashed(config.size());
      for (Map.Entry<String, String> e : config.entrySet()) {
        bytes += Footprint.string(e.getKey()) + Footprint.string(e.getValue());
      }
    }
    return bytes;
  }
}

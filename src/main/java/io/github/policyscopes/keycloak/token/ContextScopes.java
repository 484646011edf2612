package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.scope.ClientScopeGrant;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
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

  /** The most outcomes of an access token's decision kept ({@link #outcomes}). */
  static final int MAX_OUTCOMES = 2;

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
  private final RecentAnswers<List<String>, Dropped> dropped = new RecentAnswers<>(MAX_DROPPED);
  private final RecentAnswers<TokenOutcome.Shape, TokenOutcome> outcomes =
      new RecentAnswers<>(MAX_OUTCOMES);

  /** {@link #governedWrite}'s answer for every kind of token; null until it is first asked. */
  private volatile @Nullable Set<ClaimFilter.Kind> kindsWritten;

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
   * Whether a governed client scope carries a mapper, other than a token policy, that Keycloak runs
   * for this {@code kind} of token ({@code providers}: a mapper type's provider, as Keycloak has
   * it; null for one it has not). Where none does, no client scope the policy can drop wrote into
   * such a token, and there is nothing to filter. Whether a mapper is enabled is not asked: a
   * disabled one can only turn the answer into a yes. Worked out once, and kept.
   */
  boolean governedWrite(ClaimFilter.Kind kind, Function<String, @Nullable Object> providers) {
    Set<ClaimFilter.Kind> kinds = kindsWritten;
    if (kinds == null) {
      kinds = EnumSet.noneOf(ClaimFilter.Kind.class);
      for (Governed g : governed) {
        for (ProtocolMapperModel m : g.mappers()) {
          if (PolicyStore.isPolicyMapper(m)) {
            continue;
          }
          Object provider = providers.apply(m.getProtocolMapper());
          for (ClaimFilter.Kind k : ClaimFilter.Kind.values()) {
            if (k.mapperType.isInstance(provider)) {
              kinds.add(k);
            }
          }
        }
      }
      kindsWritten = kinds; // never changed once published
    }
    return kinds.contains(kind);
  }

  /**
   * The governed client scopes {@code granted} does not grant (by the one rule of {@link
   * ClientScopeGrant}) and the key of their mappers' plans; kept for the last {@value #MAX_DROPPED}
   * granted sets asked.
   */
  Dropped dropped(List<String> granted) {
    Dropped known = dropped.get(granted);
    if (known != null) {
      return known;
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
    if (small(granted)) {
      dropped.keep(made.granted(), made);
    }
    return made;
  }

  /**
   * The access tokens' decisions made in contexts read as this one, by their {@link
   * TokenOutcome.Shape}: at most {@value #MAX_OUTCOMES}, each of at most {@link
   * TokenOutcome#MAX_KEPT_BYTES} bytes with its shape (the policy mapper keeps them).
   */
  RecentAnswers<TokenOutcome.Shape, TokenOutcome> outcomes() {
    return outcomes;
  }

  /**
   * Whether a set of scopes is small enough for what is worked out from it to be kept: at most
   * {@value #MAX_GRANTED_SCOPES} scopes of at most {@value #MAX_GRANTED_CHARS} characters in all.
   */
  static boolean small(List<String> scopes) {
    if (scopes.size() > MAX_GRANTED_SCOPES) {
      return false;
    }
    int chars = 0;
    for (String scope : scopes) {
      chars += scope.length();
    }
    return chars <= MAX_GRANTED_CHARS;
  }

  /**
   * The estimated bytes this retains at most: what was read, the mapper models it holds (their ids,
   * names, types and configs; the governed scopes' may include disabled ones the context does not
   * run), and room for {@value #MAX_DROPPED} dropped sets as large as they may be kept and for
   * {@value #MAX_OUTCOMES} outcomes ({@link TokenOutcome#MAX_KEPT_BYTES} each).
   */
  long estimatedBytes() {
    // its 9 fields, and the set of kinds its mappers write (an EnumSet: an object and its bits)
    long bytes = Footprint.object(9) + Footprint.object(3) + Footprint.refArray(mappers.length);
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
    return bytes
        + 2 * Footprint.object(3)
        + Footprint.refArray(MAX_DROPPED)
        + MAX_DROPPED * (Footprint.object(2) + oneDropped)
        + Footprint.refArray(MAX_OUTCOMES)
        + MAX_OUTCOMES * (Footprint.object(2) + TokenOutcome.MAX_KEPT_BYTES);
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

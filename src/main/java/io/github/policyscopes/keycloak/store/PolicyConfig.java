package io.github.policyscopes.keycloak.store;

import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.PolicyValidator;
import io.github.policyscopes.policy.PolicyValidator.FieldError;
import io.github.policyscopes.policy.TokenPolicy;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * The stored form of a token policy, and the only code that reads, writes or validates it: the
 * config map of a {@code pbs-token-policy} protocol mapper ({@value #ALLOWED_SCOPES}, {@value
 * #ACCESS_TOKEN_LIFETIME}, {@value #DISALLOWED_SCOPES}), with the allowed entries joined by
 * Keycloak's multivalue separator {@code ##} (what the admin console writes for a multivalued
 * field).
 *
 * <p>What is validated is exactly what is read back: {@link #of} refuses any entry list that would
 * not survive {@link #toConfig()} then {@link #read} unchanged (an entry holding {@code ##}, or
 * starting or ending with {@code #}, would be split into other entries on the way back). Reading is
 * lenient and total: a stored value that does not validate (a hand-edited import, say) is kept as
 * read and reported in {@link #problems()}, and the issuance core then grants no config scope for
 * it (denies fail closed; see {@link io.github.policyscopes.policy.EffectivePolicy}).
 *
 * @param allowedScopes the entries as stored (blank ones dropped, duplicates removed)
 * @param accessTokenLifetime seconds, or null for Keycloak's normal lifetime (an unreadable stored
 *     value reads as null and is reported)
 * @param disallowedScopes ignore or reject (an unreadable stored value reads as reject, the closed
 *     choice, and is reported)
 * @param problems what is wrong with the stored form, as field errors; empty when it validates
 */
public record PolicyConfig(
    List<String> allowedScopes,
    @Nullable Integer accessTokenLifetime,
    DisallowedScopesMode disallowedScopes,
    List<FieldError> problems) {

  static final String ALLOWED_SCOPES = "allowedScopes";
  static final String ACCESS_TOKEN_LIFETIME = "accessTokenLifetime";
  static final String DISALLOWED_SCOPES = "disallowedScopes";

  /**
   * Not part of the policy: the warnings as of the mapper's last save, a text the admin console
   * shows on the mapper's page (docs/adr/0032). Never read back as policy.
   */
  public static final String WARNINGS = "warnings";

  /**
   * The mapper's fields as the admin console shows them: labels and help texts are message keys of
   * the theme bundle.
   */
  public static final List<ProviderConfigProperty> PROPERTIES =
      ProviderConfigurationBuilder.create()
          .property()
          .name(ALLOWED_SCOPES)
          .label("pbs.allowedScopes.label")
          .helpText("pbs.allowedScopes.help")
          .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
          .add()
          .property()
          .name(ACCESS_TOKEN_LIFETIME)
          .label("pbs.accessTokenLifetime.label")
          .helpText("pbs.accessTokenLifetime.help")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(DISALLOWED_SCOPES)
          .label("pbs.disallowedScopes.label")
          .helpText("pbs.disallowedScopes.help")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("ignore", "reject")
          .defaultValue("ignore")
          .add()
          .property()
          .name(WARNINGS)
          .label("pbs.warnings.label")
          .helpText("pbs.warnings.help")
          .type(ProviderConfigProperty.TEXT_TYPE)
          .add()
          .build();

  /** How the admin console joins the values of a multivalued mapper field. */
  private static final String SEPARATOR = "##";

  public PolicyConfig {
    allowedScopes = List.copyOf(new LinkedHashSet<>(allowedScopes));
    disallowedScopes = disallowedScopes == null ? DisallowedScopesMode.IGNORE : disallowedScopes;
    problems = List.copyOf(problems);
  }

  /**
   * A policy config from the API's fields, validated: throws nothing, the caller refuses when
   * {@link #problems()} is not empty.
   */
  public static PolicyConfig of(
      @Nullable List<String> allowedScopes,
      @Nullable Integer accessTokenLifetime,
      @Nullable String disallowedScopes) {
    List<FieldError> problems = new ArrayList<>();
    List<String> entries = allowedScopes == null ? List.of() : allowedScopes;
    problems.addAll(PolicyValidator.entryErrors(entries));
    problems.addAll(roundTripErrors(entries));
    problems.addAll(PolicyValidator.lifetimeErrors(accessTokenLifetime));
    DisallowedScopesMode mode = DisallowedScopesMode.IGNORE;
    try {
      mode = DisallowedScopesMode.parse(disallowedScopes);
    } catch (IllegalArgumentException e) {
      problems.add(new FieldError(DISALLOWED_SCOPES, "must be ignore or reject"));
    }
    return new PolicyConfig(entries, accessTokenLifetime, mode, problems);
  }

  /** A stored config's three values, the key of {@link #STORED}. */
  private record Stored(
      @Nullable String allowedScopes, @Nullable String lifetime, @Nullable String mode) {

    long estimatedBytes() {
      return Footprint.object(3)
          + Footprint.string(allowedScopes)
          + Footprint.string(lifetime)
          + Footprint.string(mode);
    }
  }

  /**
   * Stored configs as read, by their stored values: a policy is read and validated once per
   * version, not at every token of a bound client (docs/adr/0038). Keycloak hands out the same
   * strings while its cached mapper is unchanged, so a lookup hashes nothing again.
   */
  private static final LoadingCache<Stored, PolicyConfig> STORED =
      CacheBudget.weighed(
          CacheBudget.POLICY_CONFIGS_BYTES,
          k -> read(k.allowedScopes(), k.lifetime(), k.mode()),
          e -> e.key().estimatedBytes() + e.value().estimatedBytes());

  /**
   * A conservative estimate of the heap this config retains ({@link Footprint}): its entries, and
   * each field error counted at 512 bytes.
   */
  public long estimatedBytes() {
    return Footprint.object(4)
        + Footprint.strings(allowedScopes)
        + Footprint.list(problems.size())
        + 512L * problems.size();
  }

  /** {@link #read}, from {@link #STORED}: for reading policies at every token request. */
  public static PolicyConfig readStored(@Nullable Map<String, String> config) {
    Map<String, String> c = config == null ? Map.of() : config;
    return STORED.get(
        new Stored(c.get(ALLOWED_SCOPES), c.get(ACCESS_TOKEN_LIFETIME), c.get(DISALLOWED_SCOPES)));
  }

  /** Reads a mapper's stored config, leniently; see the class comment. */
  public static PolicyConfig read(@Nullable Map<String, String> config) {
    Map<String, String> c = config == null ? Map.of() : config;
    return read(c.get(ALLOWED_SCOPES), c.get(ACCESS_TOKEN_LIFETIME), c.get(DISALLOWED_SCOPES));
  }

  private static PolicyConfig read(
      @Nullable String storedEntries,
      @Nullable String storedLifetime,
      @Nullable String storedMode) {
    List<FieldError> problems = new ArrayList<>();
    List<String> entries = split(storedEntries);
    problems.addAll(PolicyValidator.entryErrors(entries));

    Integer lifetime = null;
    if (storedLifetime != null && !storedLifetime.isBlank()) {
      try {
        lifetime = Integer.valueOf(storedLifetime.trim());
      } catch (NumberFormatException e) {
        problems.add(new FieldError(ACCESS_TOKEN_LIFETIME, "must be a whole number of seconds"));
      }
      List<FieldError> range = PolicyValidator.lifetimeErrors(lifetime);
      if (!range.isEmpty()) {
        problems.addAll(range);
        lifetime = null;
      }
    }

    DisallowedScopesMode mode;
    try {
      mode = DisallowedScopesMode.parse(storedMode);
    } catch (IllegalArgumentException e) {
      problems.add(new FieldError(DISALLOWED_SCOPES, "must be ignore or reject"));
      mode = DisallowedScopesMode.REJECT; // closed: refuse rather than silently grant less
    }
    return new PolicyConfig(entries, lifetime, mode, problems);
  }

  /** The mapper config that stores this policy. */
  public Map<String, String> toConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put(ALLOWED_SCOPES, String.join(SEPARATOR, allowedScopes));
    if (accessTokenLifetime != null) {
      config.put(ACCESS_TOKEN_LIFETIME, accessTokenLifetime.toString());
    }
    config.put(DISALLOWED_SCOPES, disallowedScopes.value());
    return config;
  }

  /** The mapper config that stores this policy, with the warnings the console shows. */
  public Map<String, String> toConfig(List<String> warnings) {
    Map<String, String> config = toConfig();
    config.put(WARNINGS, warningsText(warnings));
    return config;
  }

  /** The console's text of the warnings at a save: one per line, or that there were none. */
  public static String warningsText(List<String> warnings) {
    if (warnings.isEmpty()) {
      return "None at the last save.";
    }
    StringBuilder text = new StringBuilder("At the last save:");
    warnings.forEach(w -> text.append("\n• ").append(w));
    return text.toString();
  }

  /** The policy for the issuance core. */
  public TokenPolicy toPolicy(@Nullable String id, @Nullable String title) {
    return new TokenPolicy(id, title, allowedScopes, accessTokenLifetime, disallowedScopes);
  }

  /** Whether the stored form validates. */
  public boolean isValid() {
    return problems.isEmpty();
  }

  /** Whether the policy holds a config grant ({@code *:…} or {@code .:…}). */
  public boolean hasConfigGrant() {
    return toPolicy(null, null).hasConfigGrant();
  }

  /**
   * This config merged with another one of the same policy (a client scope carrying more than one
   * policy mapper): entries united, reject if either rejects, the shorter lifetime, problems of
   * both. Every mapper grants, so every mapper counts.
   */
  PolicyConfig mergedWith(PolicyConfig other) {
    List<String> entries = new ArrayList<>(allowedScopes);
    entries.addAll(other.allowedScopes);
    Integer lifetime = accessTokenLifetime;
    if (other.accessTokenLifetime != null
        && (lifetime == null || other.accessTokenLifetime < lifetime)) {
      lifetime = other.accessTokenLifetime;
    }
    DisallowedScopesMode mode =
        disallowedScopes == DisallowedScopesMode.REJECT
                || other.disallowedScopes == DisallowedScopesMode.REJECT
            ? DisallowedScopesMode.REJECT
            : DisallowedScopesMode.IGNORE;
    List<FieldError> allProblems = new ArrayList<>(problems);
    allProblems.addAll(other.problems);
    return new PolicyConfig(entries, lifetime, mode, allProblems);
  }

  private static List<String> split(@Nullable String stored) {
    if (stored == null || stored.isBlank()) {
      return List.of();
    }
    return Arrays.stream(stored.split(SEPARATOR))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /**
   * Entries that would not read back as themselves once joined: one holding the separator, or
   * starting or ending with {@code #} (next to the separator it makes a longer run of {@code #}
   * that splits elsewhere), or with surrounding blanks (trimmed on read).
   */
  private static List<FieldError> roundTripErrors(List<String> entries) {
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      if (entry == null) {
        continue; // reported by the entry validation
      }
      if (entry.contains(SEPARATOR) || entry.startsWith("#") || entry.endsWith("#")) {
        errors.add(
            new FieldError(
                "allowedScopes[" + i + "]",
                "must not contain \"##\" nor start or end with \"#\": Keycloak stores a policy's"
                    + " entries joined by \"##\""));
      } else if (!entry.equals(entry.trim())) {
        errors.add(
            new FieldError(
                "allowedScopes[" + i + "]", "must not start or end with a blank character"));
      }
    }
    if (errors.isEmpty()) {
      List<String> kept = entries.stream().filter(e -> e != null && !e.isBlank()).toList();
      List<String> back = split(String.join(SEPARATOR, kept));
      if (!back.equals(kept)) {
        errors.add(new FieldError(ALLOWED_SCOPES, "would not be stored as sent"));
      }
    }
    return errors;
  }
}

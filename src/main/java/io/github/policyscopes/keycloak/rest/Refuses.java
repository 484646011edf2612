package io.github.policyscopes.keycloak.rest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a JAX-RS method that serves no route of {@link io.github.policyscopes.access.Routes}: it
 * answers after the checks every request passes with {@code 404} (a path no route serves) or {@code
 * 405} (a method its template does not serve). Every other resource method of the config API serves
 * exactly one route of the table (RoutesJaxRsTest).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Refuses {}

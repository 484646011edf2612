package io.github.policyscopes.it;

/**
 * Stops what a test started when the JVM exits without closing it (a killed build, a failed setup);
 * {@link #close} runs the stop now and drops the hook. For the servers the ITs start.
 */
public final class StopAtExit implements AutoCloseable {

  private final Runnable stop;
  private final Thread hook;

  /** Registers {@code stop} to run at JVM exit, in a thread named {@code name}. */
  public StopAtExit(Runnable stop, String name) {
    this.stop = stop;
    this.hook = new Thread(stop, name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Stops now, and no more at exit. */
  @Override
  public void close() {
    stop.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }
}

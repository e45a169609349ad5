package org.torsh;

import java.lang.ref.Cleaner;
import java.util.function.LongConsumer;

/**
 * A Java object owning one torsh handle: released by {@link #close()} (idempotent) or,
 * when close was never called, by a {@link Cleaner} once the object is unreachable.
 * Ownership can be handed over to torsh (torsh_sequential_add, torsh_adam_new): the object
 * then keeps the handle as a borrowed one, kept valid by a strong reference to its new
 * owner, and its close only forgets it.
 */
abstract class NativeObject implements AutoCloseable {
    static final Cleaner CLEANER = Cleaner.create();

    /** The cleaning action. It must not reference the NativeObject, or it never runs. */
    private static final class State implements Runnable {
        private final LongConsumer release;
        private volatile long value;
        private volatile boolean owned = true;

        State(long value, LongConsumer release) {
            this.value = value;
            this.release = release;
        }

        @Override
        public void run() {
            long v = value;
            value = 0;
            if (owned && v != 0) {
                release.accept(v);
            }
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;
    private final String kind;
    /** The owner of a handed-over handle, kept reachable while this object is. */
    private volatile Object keeper;

    NativeObject(long handle, LongConsumer release, String kind) {
        if (handle == 0) {
            throw new InternalException(kind + ": the native call returned no handle");
        }
        this.state = new State(handle, release);
        this.kind = kind;
        this.cleanable = CLEANER.register(this, state);
    }

    /**
     * The raw handle, for the {@link ToRSh} functions. Borrowed: valid while this object
     * is open (and, for a handed-over object, while its owner is).
     *
     * @throws InvalidHandleException when the object is closed
     */
    public final long handle() {
        long v = state.value;
        if (v == 0) {
            throw new InvalidHandleException(kind + " is closed");
        }
        return v;
    }

    /** Whether close() was called (or the handle was handed over and then closed). */
    public final boolean isClosed() {
        return state.value == 0;
    }

    /** Whether this object still owns its handle (false once handed over to torsh). */
    public final boolean ownsHandle() {
        return state.owned && state.value != 0;
    }

    /**
     * Gives the handle to a torsh function that takes it over; from now on this object
     * does not free it, and keeps {@code newOwner} (the Java object of the torsh owner, or
     * null) reachable. Fails when this object is closed or was handed over already.
     */
    final synchronized long handOver(Object newOwner, String what) {
        long v = handle();
        if (!state.owned) {
            throw new InvalidArgumentException(what + ": this " + kind
                    + " was handed over already (it belongs to another object)");
        }
        state.owned = false;
        keeper = newOwner;
        return v;
    }

    /** The owner a handle was handed over to (null while this object owns it). */
    final Object keeper() {
        return keeper;
    }

    /** Sets the object keeping a handed-over handle alive (after the owner exists). */
    final void keepAlive(Object newOwner) {
        keeper = newOwner;
    }

    /** Releases the handle (or forgets a handed-over one). Idempotent. */
    @Override
    public final void close() {
        cleanable.clean();
        keeper = null;
    }

    final String kind() {
        return kind;
    }
}

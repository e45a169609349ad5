package org.torsh;

/** The tanh activation as a module (no parameters). */
public final class Tanh extends Module {
    public Tanh() {
        super(ToRSh.tanhNew(), "Tanh");
    }
}

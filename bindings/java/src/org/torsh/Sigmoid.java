package org.torsh;

/** The sigmoid activation as a module (no parameters). */
public final class Sigmoid extends Module {
    public Sigmoid() {
        super(ToRSh.sigmoidNew(), "Sigmoid");
    }
}

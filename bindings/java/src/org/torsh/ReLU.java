package org.torsh;

/** The relu activation as a module (no parameters). */
public final class ReLU extends Module {
    public ReLU() {
        super(ToRSh.reluNew(), "ReLU");
    }
}

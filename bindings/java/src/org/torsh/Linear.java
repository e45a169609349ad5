package org.torsh;

/** y = x W^T + b (torch.nn.Linear's initialization; W and b are f32 and require grad). */
public final class Linear extends Module {
    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        super(ToRSh.linearNew(inFeatures, outFeatures, bias), "Linear");
    }
}

package org.torsh;

/**
 * torch.optim.Adam. Takes over the parameter list:
 * {@code new Adam(model.parameters(), 0.01)}.
 */
public final class Adam extends Optimizer {
    public Adam(Parameters params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8);
    }

    public Adam(Parameters params, double lr, double beta1, double beta2, double eps) {
        super(ToRSh.adamNew(take(params, "Adam"), lr, beta1, beta2, eps), "Adam");
        params.keepAlive(this);
    }
}

"""Optimisers: one step worked by hand, state, input checks, convergence on a bowl."""

import numpy as np
import pytest

import nnlib


def params(*arrays):
    """(name, param, grad) triples for arrays given as (param, grad) pairs."""
    return [(f"p{i}", np.array(p, dtype=float), np.array(g, dtype=float)) for i, (p, g) in enumerate(arrays)]


def test_sgd_step_is_param_minus_lr_times_grad():
    ps = params(([1.0, 2.0], [0.5, -1.0]))
    nnlib.SGD(lr=0.1).step(ps)
    np.testing.assert_allclose(ps[0][1], [0.95, 2.1], rtol=0, atol=1e-15)


def test_sgd_momentum_two_steps_by_hand():
    # v1 = -0.1 * 1 = -0.1, p1 = 0.9; v2 = 0.9 * -0.1 - 0.1 = -0.19, p2 = 0.71.
    ps = params(([1.0], [1.0]))
    opt = nnlib.SGD(lr=0.1, momentum=0.9)
    opt.step(ps)
    np.testing.assert_allclose(ps[0][1], [0.9], atol=1e-15)
    opt.step(ps)
    np.testing.assert_allclose(ps[0][1], [0.71], atol=1e-15)


def test_adam_first_steps_move_each_weight_by_lr_whatever_the_gradient_scale():
    # Bias correction makes m_hat = g and v_hat = g**2 while the gradient is constant,
    # so each step is lr * g / |g| = lr * sign(g): a tiny and a huge gradient move alike.
    ps = params(([1.0, 1.0], [1e-3, -1e3]))
    opt = nnlib.Adam(lr=0.01)
    opt.step(ps)
    np.testing.assert_allclose(ps[0][1], [0.99, 1.01], atol=1e-6)
    opt.step(ps)
    np.testing.assert_allclose(ps[0][1], [0.98, 1.02], atol=1e-6)
    assert opt.t == 2


def test_step_updates_the_same_arrays_in_place():
    model = nnlib.MLP([2, 3, 1], seed=0)
    before = [p for _, p, _ in model.parameters()]
    for _, _, g in model.parameters():
        g[...] = 1.0
    nnlib.Adam(lr=0.1).step(model.parameters())
    after = [p for _, p, _ in model.parameters()]
    assert all(a is b for a, b in zip(before, after))


@pytest.mark.parametrize("opt", [nnlib.SGD(0.1), nnlib.SGD(0.1, momentum=0.9), nnlib.Adam(0.1)])
def test_float32_parameters_stay_float32(opt):
    model = nnlib.MLP([2, 3, 1], seed=0, dtype=np.float32)
    for _, _, g in model.parameters():
        g[...] = 0.5
    opt.step(model.parameters())
    assert all(p.dtype == np.float32 for _, p, _ in model.parameters())


def test_zero_grad_sets_every_gradient_to_zero():
    ps = params(([1.0, 2.0], [3.0, 4.0]), ([5.0], [6.0]))
    nnlib.SGD(0.1).zero_grad(ps)
    assert all(np.all(g == 0) for _, _, g in ps)
    nnlib.Adam().zero_grad(params(([1.0], [2.0])))


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1, momentum=0.5), lambda: nnlib.Adam(lr=0.05)])
def test_optimisers_find_the_bottom_of_a_bowl(make):
    # f(w) = sum((w - c)**2) has gradient 2 (w - c) and its minimum at c.
    c = np.array([3.0, -2.0])
    w = np.zeros(2)
    g = np.zeros(2)
    opt = make()
    for _ in range(500):
        g[...] = 2 * (w - c)
        opt.step([("w", w, g)])
    np.testing.assert_allclose(w, c, atol=1e-3)


def test_state_for_another_shape_asks_for_reset():
    opt = nnlib.SGD(0.1, momentum=0.9)
    opt.step(params(([1.0, 2.0], [1.0, 1.0])))
    with pytest.raises(ValueError, match=r"p0 has shape \(3,\).*reset\(\)"):
        opt.step(params(([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])))
    opt.reset()
    opt.step(params(([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])))
    adam = nnlib.Adam()
    adam.step(params(([1.0], [1.0])))
    with pytest.raises(ValueError, match="reset"):
        adam.step(params(([1.0, 2.0], [1.0, 1.0])))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nnlib.SGD(lr=-0.1), "lr must be at least 0"),
        (lambda: nnlib.SGD(lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\), got 1.0"),
        (lambda: nnlib.SGD(lr=0.1, momentum=-0.5), "momentum must be in"),
        (lambda: nnlib.Adam(lr=float("nan")), "lr must be finite"),
        (lambda: nnlib.Adam(beta1=1.0), r"beta1 must be in \[0, 1\)"),
        (lambda: nnlib.Adam(beta2=1.5), "beta2 must be in"),
    ],
)
def test_bad_settings_raise_value_error_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_non_number_learning_rate_is_a_type_error():
    with pytest.raises(TypeError, match="lr must be a number, got str"):
        nnlib.SGD(lr="0.1")


def test_repr_shows_the_settings():
    assert repr(nnlib.SGD(lr=0.03, momentum=0.9)) == "SGD(lr=0.03, momentum=0.9)"
    assert repr(nnlib.Adam(lr=0.001)) == "Adam(lr=0.001)"


def test_adam_refuses_eps_0_which_would_step_by_0_over_0():
    with pytest.raises(ValueError, match="eps must be positive .* got 0"):
        nnlib.Adam(eps=0)


def test_a_learning_rate_beyond_the_float_range_is_named():
    with pytest.raises(ValueError, match=r"lr must be a finite number, got an int of 401 digits"):
        nnlib.SGD(10 ** 400)

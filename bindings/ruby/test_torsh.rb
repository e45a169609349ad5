# frozen_string_literal: true

# Tests of the Ruby bindings: ruby bindings/ruby/test_torsh.rb
# (TORSH_LIBRARY picks the library; default: the repository's torsh/lib/libtorsh.so).

require 'minitest/autorun'
require_relative 'lib/torsh'

class TestToRShLibrary < Minitest::Test
  def test_version_and_init
    assert_equal ToRSh::VERSION_NUMBER, ToRSh.torsh_version_number
    assert_match(/\A\d+\.\d+\.\d+\z/, ToRSh.version)
    assert_nil ToRSh.init
    assert_equal 0, ToRSh.torsh_init # the raw function returns the torsh_status_t
  end

  def test_whole_api_is_attached
    assert_empty ToRSh::MISSING_FUNCTIONS,
                 "#{ToRSh::LIBRARY_PATH} lacks functions of torsh.h (rebuild it: make lib)"
  end

  def test_memory_stats_struct
    stats = ToRSh.memory_stats
    assert_equal %i[bytes_live bytes_peak allocations_total allocations_live allocations_failed
                    handles_live limit_bytes], stats.keys
    before = stats[:handles_live]
    t = ToRSh::Tensor.zeros(4, 4)
    assert_equal before + 1, ToRSh.memory_stats[:handles_live]
    t.release!
    assert_equal before, ToRSh.memory_stats[:handles_live]
  end
end

class TestToRShErrors < Minitest::Test
  EXPECTED = {
    1 => ToRSh::NullArgumentError, 2 => ToRSh::InvalidHandleError,
    3 => ToRSh::ShapeMismatchError, 4 => ToRSh::DTypeError, 5 => ToRSh::OutOfMemoryError,
    6 => ToRSh::IndexError, 7 => ToRSh::NotImplementedError, 8 => ToRSh::InvalidArgumentError,
    9 => ToRSh::IRParseError, 10 => ToRSh::IRVerifyError, 11 => ToRSh::CompileError,
    12 => ToRSh::InternalError, 13 => ToRSh::VersionMismatchError
  }.freeze

  def test_hierarchy
    assert_operator ToRSh::Error, :<, StandardError
    EXPECTED.each_value do |klass|
      assert_operator klass, :<, ToRSh::Error
      # named after the torsh status, inside the namespace (not Ruby's own IndexError...)
      refute_operator klass, :<, ::IndexError
      refute_operator klass, :<, ::NotImplementedError
    end
  end

  def test_debug_raise_maps_every_code_to_its_class
    EXPECTED.each do |code, klass|
      error = assert_raises(klass) { ToRSh.debug_raise(code) }
      assert_equal code, error.code
      assert_equal "torsh_debug_raise: injected #{ToRSh.torsh_status_string(code)}", error.message
      assert_equal code, ToRSh.torsh_last_error
    end
  end

  def test_debug_raise_out_of_range_is_invalid_argument
    [0, -1, 14, 999].each do |code|
      error = assert_raises(ToRSh::InvalidArgumentError) { ToRSh.debug_raise(code) }
      assert_equal 8, error.code
    end
  end

  def test_last_error_is_per_thread
    threads = [3, 4, 6, 8].map do |code|
      Thread.new do
        50.times.map do
          ToRSh.debug_raise(code)
        rescue ToRSh::Error => e
          e.class
        end.uniq
      end
    end
    assert_equal [[ToRSh::ShapeMismatchError], [ToRSh::DTypeError], [ToRSh::IndexError],
                  [ToRSh::InvalidArgumentError]], threads.map(&:value)
  end

  def test_error_class_of_unknown_code_is_internal
    assert_equal ToRSh::InternalError, ToRSh.error_class(42)
    assert_equal ToRSh::ShapeMismatchError, ToRSh.error_class(3)
  end

  def test_rescue_as_standard_error
    raised = begin
      ToRSh.debug_raise(5)
    rescue StandardError => e
      e
    end
    assert_kind_of ToRSh::OutOfMemoryError, raised
  end

  def test_released_handle_is_invalid_handle
    t = ToRSh::Tensor.from_array([1, 2], [2])
    t.release!
    error = assert_raises(ToRSh::InvalidHandleError) { t.shape }
    assert_match(/not a live tensor/, error.message)
    assert_equal 2, error.code
  end

  def test_unknown_dtype
    assert_raises(ToRSh::DTypeError) { ToRSh::Tensor.zeros(2, dtype: :complex64) }
    assert_raises(ToRSh::DTypeError) { ToRSh::Tensor.zeros(2, dtype: 99) }
  end

  def test_from_array_wrong_count
    error = assert_raises(ToRSh::ShapeMismatchError) do
      ToRSh::Tensor.from_array([1, 2, 3], [2, 2])
    end
    assert_match(/\(2, 2\)/, error.message)
  end

  def test_matmul_shape_mismatch_names_both_shapes
    a = ToRSh::Tensor.zeros(2, 3)
    b = ToRSh::Tensor.zeros(4, 5)
    error = assert_raises(ToRSh::ShapeMismatchError) { a.matmul(b) }
    assert_equal 3, error.code
    assert_match(/torsh_matmul/, error.message)
    assert_match(/\(2, 3\)/, error.message)
    assert_match(/\(4, 5\)/, error.message)
  end

  def test_add_shape_mismatch
    error = assert_raises(ToRSh::ShapeMismatchError) do
      ToRSh::Tensor.zeros(2, 3) + ToRSh::Tensor.zeros(4)
    end
    assert_match(/2, 3/, error.message)
  end

  def test_raw_functions_return_null_and_set_last_error
    ToRSh.torsh_clear_error
    assert ToRSh.torsh_tensor_data_ptr(nil).null?
    assert_equal 1, ToRSh.torsh_last_error
    assert_kind_of ToRSh::NullArgumentError, ToRSh.last_error
  end
end

class TestToRShTensor < Minitest::Test
  def close(expected, actual, tol = 1e-5)
    assert_equal expected.size, actual.size, "sizes of #{expected} and #{actual}"
    expected.zip(actual).each { |e, a| assert_in_delta e, a, tol }
  end

  def test_from_array_round_trip
    t = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
    assert_equal [2, 3], t.shape
    assert_equal 2, t.ndim
    assert_equal :f32, t.dtype
    assert_equal 6, t.numel
    assert_equal [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], t.to_a
    assert_equal [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], t.to_nested
    assert t.contiguous?
  end

  def test_dtypes_round_trip
    assert_equal [0.1, 2.5], ToRSh::Tensor.from_array([0.1, 2.5], dtype: :f64).to_a
    assert_equal [-3, 7], ToRSh::Tensor.from_array([-3, 7], dtype: :i32).to_a
    assert_equal [2**40, -1], ToRSh::Tensor.from_array([2**40, -1], dtype: :i64).to_a
    assert_equal [true, false], ToRSh::Tensor.from_array([true, false], dtype: :bool).to_a
    assert_equal [[1, 2], [3, 4]], ToRSh::Tensor.from_array([[1, 2], [3, 4]], dtype: :u8).to_nested
  end

  def test_empty_tensors
    e = ToRSh::Tensor.zeros(2, 0)
    assert_equal [2, 0], e.shape
    assert_equal [], e.to_a
    assert_equal [[], []], e.to_nested
    assert_equal [[[1.0], [2.0]]], ToRSh::Tensor.from_array([1, 2], [1, 2, 1]).to_nested
  end

  def test_scalar_and_zeros
    s = ToRSh::Tensor.scalar(2.5)
    assert_equal [], s.shape
    assert_in_delta 2.5, s.item
    z = ToRSh::Tensor.zeros(3, 2)
    assert_equal [3, 2], z.shape
    assert_equal [0.0] * 6, z.to_a
  end

  def test_add_values
    a = ToRSh::Tensor.from_array([1, 2, 3, 4], [2, 2])
    b = ToRSh::Tensor.from_array([10, 20, 30, 40], [2, 2])
    c = a + b
    assert_equal [2, 2], c.shape
    assert_equal :f32, c.dtype
    assert_equal [11.0, 22.0, 33.0, 44.0], c.to_a
  end

  def test_arithmetic_and_broadcasting
    a = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
    row = ToRSh::Tensor.from_array([1, 0, -1], [3])
    assert_equal [2.0, 2.0, 2.0, 5.0, 5.0, 5.0], (a + row).to_a
    assert_equal [0.0, 2.0, 4.0, 3.0, 5.0, 7.0], (a - row).to_a
    assert_equal [2.0, 4.0, 6.0, 8.0, 10.0, 12.0], (a * 2).to_a
    assert_equal [2.0, 4.0, 6.0, 8.0, 10.0, 12.0], (2 * a).to_a
    close [0.5, 1.0, 1.5, 2.0, 2.5, 3.0], (a / 2.0).to_a
    close [9.0, 8.0, 7.0, 6.0, 5.0, 4.0], (10 - a).to_a
    close [1.0, 4.0, 9.0, 16.0, 25.0, 36.0], (a**2).to_a
    assert_equal [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0], (-a).to_a
  end

  def test_integer_promotion
    i = ToRSh::Tensor.from_array([1, 2, 3], dtype: :i32)
    assert_equal :i32, (i + i).dtype
    assert_equal [2, 4, 6], (i + i).to_a
    assert_equal :f32, (i / i).dtype # true division
    assert_equal :f32, (i + 0.5).dtype
  end

  def test_matmul_values
    a = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
    b = ToRSh::Tensor.from_array([7, 8, 9, 10, 11, 12], [3, 2])
    c = a.matmul(b)
    assert_equal [2, 2], c.shape
    assert_equal [58.0, 64.0, 139.0, 154.0], c.to_a
  end

  def test_unary_and_reductions
    t = ToRSh::Tensor.from_array([-2, -1, 0, 1, 2, 3], [2, 3])
    assert_equal [0.0, 0.0, 0.0, 1.0, 2.0, 3.0], t.relu.to_a
    assert_equal [], t.sum.shape
    assert_in_delta 3.0, t.sum.item
    assert_in_delta 0.5, t.mean.item
    assert_in_delta 3.0, t.max.item
    assert_equal [-3.0, 6.0], t.sum(1).to_a
    assert_equal [2, 1], t.sum(-1, keepdim: true).shape
    close [Math.exp(1), 1.0], ToRSh::Tensor.from_array([1, 0]).exp.to_a
    close [0.5], ToRSh::Tensor.from_array([0]).sigmoid.to_a
    probs = t.softmax(1).sum(1).to_a
    close [1.0, 1.0], probs
  end

  def test_shapes_and_views
    t = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
    assert_equal [3, 2], t.reshape(3, 2).shape
    assert_equal [6], t.reshape(-1).shape
    tt = t.t
    assert_equal [3, 2], tt.shape
    refute tt.contiguous?
    assert_equal [1.0, 4.0, 2.0, 5.0, 3.0, 6.0], tt.to_a # read through the strides
    assert_equal [1, 2, 3, 4, 5, 6], t.cast(:i64).to_a
    z = ToRSh::Tensor.zeros(2, 2).fill!(7)
    assert_equal [7.0] * 4, z.to_a
    z.copy!(ToRSh::Tensor.from_array([1, 2], [2]))
    assert_equal [1.0, 2.0, 1.0, 2.0], z.to_a
  end

  def test_losses
    pred = ToRSh::Tensor.from_array([1, 2, 3, 4], [2, 2])
    target = ToRSh::Tensor.from_array([1, 2, 3, 6], [2, 2])
    assert_in_delta 1.0, pred.mse_loss(target).item
    logits = ToRSh::Tensor.from_array([0, 0, 0, 0], [2, 2])
    assert_in_delta Math.log(2), logits.cross_entropy([0, 1]).item, 1e-5
    assert_raises(ToRSh::IndexError) { logits.cross_entropy([0, 5]) }
  end

  def test_autograd
    x = ToRSh::Tensor.from_array([1, 2, 3])
    refute x.requires_grad?
    x.requires_grad = true
    assert x.requires_grad?
    assert_nil x.grad
    y = (x * x).sum
    assert y.requires_grad?
    y.backward
    close [2.0, 4.0, 6.0], x.grad.to_a
    x.zero_grad!
    assert_nil x.grad
  end

  def test_backward_twice_needs_retain_graph
    x = ToRSh::Tensor.from_array([1, 2]).requires_grad!
    y = (x * x).sum
    y.backward(retain_graph: true)
    y.backward
    close [4.0, 8.0], x.grad.to_a
    assert_raises(ToRSh::InvalidArgumentError) { y.backward }
  end

  def test_no_grad
    x = ToRSh::Tensor.from_array([1, 2]).requires_grad!
    y = ToRSh.no_grad { x * 2 }
    refute y.requires_grad?
    assert (x * 2).requires_grad?
  end

  def test_requires_grad_on_integer_tensor_fails
    i = ToRSh::Tensor.from_array([1, 2], dtype: :i64)
    assert_raises(ToRSh::Error) { i.requires_grad = true }
  end
end

class TestToRShMemory < Minitest::Test
  def handles_live
    ToRSh.memory_stats[:handles_live]
  end

  def collect
    3.times { GC.start(full_mark: true, immediate_sweep: true) }
  end

  def make_garbage(count)
    count.times { |i| ToRSh::Tensor.from_array([i, i + 1], [2]) }
    nil
  end

  def test_autopointer_releases_tensors_on_gc
    collect
    baseline = handles_live
    make_garbage(200)
    assert_operator handles_live, :>=, baseline # not freed yet (or partly, by an early GC)
    collect
    # Ruby's GC scans the machine stack conservatively: allow a stray survivor or two.
    assert_operator handles_live, :<=, baseline + 2
  end

  def test_borrowed_handles_are_retained
    model = ToRSh::Linear.new(3, 2)
    params = model.parameters
    weight = params[0]
    assert_equal [2, 3], weight.shape
    # the module, the list and our wrapper each hold a reference
    assert_operator weight.refcount, :>=, 3
    before = weight.refcount
    extra = ToRSh::Tensor.borrow(weight.handle) # a second wrapper: one more reference
    assert_equal before + 1, weight.refcount
    extra.release!
    assert_equal before, weight.refcount
  end

  def test_release_is_idempotent
    t = ToRSh::Tensor.zeros(2)
    t.release!
    t.release!
    assert_raises(ToRSh::InvalidHandleError) { t.to_a }
  end

  def test_results_are_released_too
    a = ToRSh::Tensor.from_array([1, 2, 3])
    collect
    baseline = handles_live
    100.times { (a + a).sum }
    collect
    assert_operator handles_live, :<=, baseline + 2
  end
end

class TestToRShModules < Minitest::Test
  def setup
    ToRSh.manual_seed(0)
  end

  def test_linear_forward
    lin = ToRSh::Linear.new(3, 2)
    params = lin.parameters
    assert_equal 2, params.size
    assert_equal [[2, 3], [2]], params.map(&:shape)
    bound = 1 / Math.sqrt(3)
    params.each { |p| p.to_a.each { |v| assert_operator v.abs, :<=, bound } }
    x = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
    y = lin.call(x)
    assert_equal [2, 2], y.shape
    expected = x.matmul(lin.weight.t) + lin.bias
    expected.to_a.zip(y.to_a).each { |e, a| assert_in_delta e, a, 1e-5 }
  end

  def test_activation_modules
    x = ToRSh::Tensor.from_array([-1, 0, 2])
    assert_equal [0.0, 0.0, 2.0], ToRSh::ReLU.new.call(x).to_a
    [[ToRSh::Sigmoid, ->(v) { 1 / (1 + Math.exp(-v)) }], [ToRSh::Tanh, Math.method(:tanh)]].each do |klass, f|
      klass.new.call(x).to_a.zip([-1, 0, 2]).each { |y, v| assert_in_delta f.call(v), y, 1e-5 }
      assert_equal 0, klass.new.parameters.size
    end
  end

  def test_forward_errors_are_raised
    lin = ToRSh::Linear.new(3, 2)
    assert_raises(ToRSh::ShapeMismatchError) { lin.call(ToRSh::Tensor.zeros(2, 4)) }
  end

  def test_linear_without_bias
    lin = ToRSh::Linear.new(4, 2, bias: false)
    assert_equal 1, lin.parameters.size
    assert_nil lin.bias
  end

  def test_sequential_takes_ownership
    seq = ToRSh::Sequential.new
    lin = ToRSh::Linear.new(2, 2)
    relu = ToRSh::ReLU.new
    seq << lin << relu
    assert_equal 2, seq.size
    assert_same seq, lin.owner
    refute lin.handle.autorelease?
    # the child Ruby object stays usable while it is reachable: it keeps seq alive
    assert_equal [1, 2], lin.call(ToRSh::Tensor.zeros(1, 2)).shape
    error = assert_raises(ToRSh::InvalidArgumentError) { ToRSh::Sequential.new.add(lin) }
    assert_match(/already belongs/, error.message)
    assert_raises(TypeError) { seq.add(42) }
  end

  def test_sequential_is_collected_with_its_modules
    GC.start
    baseline = ToRSh.memory_stats[:handles_live]
    build_and_drop_models(20)
    3.times { GC.start(full_mark: true, immediate_sweep: true) }
    assert_operator ToRSh.memory_stats[:handles_live], :<=, baseline + 4
  end

  def build_and_drop_models(count)
    count.times do
      seq = ToRSh::Sequential.new(ToRSh::Linear.new(4, 8), ToRSh::ReLU.new, ToRSh::Linear.new(8, 1))
      seq.call(ToRSh::Tensor.rand(3, 4))
    end
    nil
  end

  def test_parameters_go_to_one_optimizer_only
    model = ToRSh::Linear.new(2, 1)
    params = model.parameters
    ToRSh::SGD.new(params, lr: 0.1)
    assert_raises(ToRSh::InvalidArgumentError) { ToRSh::Adam.new(params) }
    assert_equal 2, params.to_a.size # the tensors stay usable
  end

  def training_data
    ToRSh.manual_seed(1)
    x = ToRSh::Tensor.rand(32, 2)
    w = ToRSh::Tensor.from_array([2.0, -3.0], [2, 1])
    y = x.matmul(w) + 0.5
    [x, y]
  end

  def train(model, optimizer, steps)
    x, y = training_data
    Array.new(steps) do
      optimizer.zero_grad
      loss = model.call(x).mse_loss(y)
      loss.backward
      optimizer.step
      loss.item
    end
  end

  def test_training_loss_falls_with_adam
    model = ToRSh::Sequential.new(ToRSh::Linear.new(2, 16), ToRSh::ReLU.new,
                                  ToRSh::Linear.new(16, 1))
    losses = train(model, ToRSh::Adam.new(model, lr: 0.05), 60)
    assert losses.all?(&:finite?)
    assert_operator losses.last, :<, losses.first * 0.2, "losses: #{losses.first}..#{losses.last}"
  end

  def test_training_loss_falls_with_sgd
    model = ToRSh::Sequential.new(ToRSh::Linear.new(2, 1))
    losses = train(model, ToRSh::SGD.new(model.parameters, lr: 0.1, momentum: 0.9), 60)
    assert_operator losses.last, :<, losses.first * 0.2, "losses: #{losses.first}..#{losses.last}"
  end

  def test_step_updates_parameters
    model = ToRSh::Linear.new(2, 1)
    opt = ToRSh::Adam.new(model, lr: 0.1)
    before = model.weight.to_a
    loss = model.call(ToRSh::Tensor.from_array([1, 1], [1, 2])).sum
    loss.backward
    refute_nil model.weight.grad
    opt.step
    after = model.weight.to_a
    before.zip(after).each { |b, a| assert_in_delta b - 0.1, a, 1e-4 } # Adam's first step: lr * sign
    opt.zero_grad
    assert_nil model.weight.grad
  end
end

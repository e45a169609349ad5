# frozen_string_literal: true

# Ruby bindings of libtorsh, the C runtime of torsh (include/torsh.h), through ruby-ffi.
#
#   require_relative 'lib/torsh'
#   a = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
#   b = ToRSh::Tensor.from_array([1, 1, 1, 1, 1, 1], [3, 2])
#   a.matmul(b).to_a # => [6.0, 6.0, 15.0, 15.0]
#
# Two layers:
# - ToRSh.torsh_* are the C functions themselves (attach_function below), for callers
#   who want the raw ABI: they return NULL / a status and set the thread's last error.
# - ToRSh::Tensor, ToRSh::Sequential, ToRSh::Linear, ToRSh::Adam, ... wrap the handles.
#   Handles live in FFI::AutoPointer, so the garbage collector releases them; every
#   failing call raises a subclass of ToRSh::Error named after the torsh status
#   (ToRSh::ShapeMismatchError, ...) carrying the C message.
#
# The library is ENV['TORSH_LIBRARY'] when set, else the repository's
# torsh/lib/libtorsh.so (`make lib` builds it), else 'torsh' found by the dynamic loader.

require 'ffi'

module ToRSh
  extend FFI::Library

  # The ABI version these bindings were written against (TORSH_VERSION_* in torsh.h).
  VERSION_MAJOR = 0
  VERSION_MINOR = 1
  VERSION_PATCH = 0
  VERSION_NUMBER = VERSION_MAJOR * 10_000 + VERSION_MINOR * 100 + VERSION_PATCH

  # ------------------------------------------------------------------ errors

  # Base class of every error a torsh call reports. #code is the C status
  # (torsh_status_t); the message is the C library's.
  class Error < StandardError
    attr_reader :code

    def initialize(message = nil, code = nil)
      super(message)
      @code = code || self.class::CODE
    end

    CODE = 12 # TORSH_ERR_INTERNAL unless a subclass says otherwise
  end

  # enum torsh_status of include/torsh.h, one class per code.
  STATUS_CLASSES = {
    1 => :NullArgumentError,     # a required pointer argument was NULL
    2 => :InvalidHandleError,    # a handle was released, freed with its pool, or never valid
    3 => :ShapeMismatchError,    # shapes are incompatible
    4 => :DTypeError,            # an unknown or unsupported dtype
    5 => :OutOfMemoryError,      # allocation failed, memory limit reached, or pool full
    6 => :IndexError,            # an index, offset or dimension is out of range
    7 => :NotImplementedError,   # a feature torsh does not implement
    8 => :InvalidArgumentError,  # any other invalid argument value
    9 => :IRParseError,          # IR text could not be parsed
    10 => :IRVerifyError,        # an IR module breaks an invariant
    11 => :CompileError,         # lowering or JIT compilation failed
    12 => :InternalError,        # a bug in torsh itself
    13 => :VersionMismatchError  # a library and its caller disagree on the version
  }.freeze

  STATUS_CLASSES.each do |code, name|
    klass = Class.new(Error)
    klass.const_set(:CODE, code)
    const_set(name, klass)
  end

  # The exception class of a status code (InternalError for unknown codes).
  def self.error_class(code)
    name = STATUS_CLASSES[code]
    name ? const_get(name) : InternalError
  end

  # ------------------------------------------------------------------ the library

  def self.library_path
    env = ENV.fetch('TORSH_LIBRARY', '')
    return env unless env.empty?

    in_repo = File.expand_path('../../../torsh/lib/libtorsh.so', __dir__)
    File.exist?(in_repo) ? in_repo : 'torsh'
  end

  LIBRARY_PATH = library_path
  ffi_lib LIBRARY_PATH

  # C functions the loaded library lacks (an older libtorsh without the tensor API):
  # they are attached as stubs that raise ToRSh::NotImplementedError when called.
  MISSING_FUNCTIONS = []

  # Inside `optional { ... }` a function missing from the library becomes such a stub
  # instead of failing `require`.
  def self.optional
    @optional = true
    yield
  ensure
    @optional = false
  end
  private_class_method :optional

  def self.attach_function(name, *rest)
    super
  rescue FFI::NotFoundError
    raise unless @optional

    MISSING_FUNCTIONS << name
    path = LIBRARY_PATH
    define_singleton_method(name) do |*|
      raise ToRSh::NotImplementedError.new("#{path} has no #{name} (rebuild it: make lib)", 7)
    end
  end

  # struct torsh_memory_stats
  class MemoryStats < FFI::Struct
    layout :bytes_live, :int64,
           :bytes_peak, :int64,
           :allocations_total, :int64,
           :allocations_live, :int64,
           :allocations_failed, :int64,
           :handles_live, :int64,
           :limit_bytes, :int64

    def to_h
      members.to_h { |m| [m, self[m]] }
    end
  end

  # versions, statuses, lifecycle
  attach_function :torsh_version_number, [], :int
  attach_function :torsh_version_string, [], :string
  attach_function :torsh_status_string, [:int], :string
  attach_function :torsh_init, [], :int
  attach_function :torsh_cleanup, [], :void

  # errors
  attach_function :torsh_error_message, [:pointer], :string
  attach_function :torsh_error_code, [:pointer], :int
  attach_function :torsh_error_free, [:pointer], :int
  attach_function :torsh_last_error, [], :int
  attach_function :torsh_last_error_message, [], :string
  attach_function :torsh_clear_error, [], :void

  # memory
  attach_function :torsh_memory_stats, [MemoryStats.by_ref], :int
  attach_function :torsh_memory_reset_peak, [], :void
  attach_function :torsh_set_memory_limit, [:size_t], :void
  attach_function :torsh_get_memory_limit, [], :size_t
  attach_function :torsh_debug_fail_allocation_after, [:int64], :int64
  attach_function :torsh_debug_raise, [:int], :int

  # tensors
  attach_function :torsh_dtype_size, [:int], :size_t
  attach_function :torsh_tensor_from_array, %i[pointer pointer int int], :pointer
  attach_function :torsh_tensor_empty, %i[pointer int int], :pointer
  attach_function :torsh_tensor_zeros, %i[pointer int int], :pointer
  attach_function :torsh_tensor_reshape, %i[pointer pointer int], :pointer
  attach_function :torsh_tensor_contiguous, [:pointer], :pointer
  attach_function :torsh_tensor_data_ptr, [:pointer], :pointer
  attach_function :torsh_tensor_ndim, [:pointer], :int
  attach_function :torsh_tensor_shape, [:pointer], :pointer
  attach_function :torsh_tensor_strides, [:pointer], :pointer
  attach_function :torsh_tensor_dtype, [:pointer], :int
  attach_function :torsh_tensor_numel, [:pointer], :int64
  attach_function :torsh_tensor_nbytes, [:pointer], :int64
  attach_function :torsh_tensor_is_contiguous, [:pointer], :int
  attach_function :torsh_tensor_retain, [:pointer], :int
  attach_function :torsh_tensor_release, [:pointer], :int
  attach_function :torsh_tensor_free, [:pointer], :int
  attach_function :torsh_tensor_refcount, [:pointer], :int64

  # threads
  attach_function :torsh_set_num_threads, [:int], :int
  attach_function :torsh_get_num_threads, [], :int

  # The tensor API (ops, autograd, modules, optimizers).
  optional do
    attach_function :torsh_manual_seed, [:uint64], :void
    attach_function :torsh_tensor_rand, %i[pointer int int], :pointer
    attach_function :torsh_tensor_randn, %i[pointer int int], :pointer

    # elementwise
    attach_function :torsh_add, %i[pointer pointer], :pointer
    attach_function :torsh_sub, %i[pointer pointer], :pointer
    attach_function :torsh_mul, %i[pointer pointer], :pointer
    attach_function :torsh_div, %i[pointer pointer], :pointer
    attach_function :torsh_pow, %i[pointer pointer], :pointer
    attach_function :torsh_neg, [:pointer], :pointer
    attach_function :torsh_exp, [:pointer], :pointer
    attach_function :torsh_log, [:pointer], :pointer
    attach_function :torsh_sqrt, [:pointer], :pointer
    attach_function :torsh_tanh, [:pointer], :pointer
    attach_function :torsh_sigmoid, [:pointer], :pointer
    attach_function :torsh_relu, [:pointer], :pointer
    attach_function :torsh_gelu, [:pointer], :pointer

    # matmul, reductions
    attach_function :torsh_matmul, %i[pointer pointer], :pointer
    attach_function :torsh_sum, [:pointer], :pointer
    attach_function :torsh_mean, [:pointer], :pointer
    attach_function :torsh_max, [:pointer], :pointer
    attach_function :torsh_sum_dim, %i[pointer int bool], :pointer
    attach_function :torsh_mean_dim, %i[pointer int bool], :pointer
    attach_function :torsh_max_dim, %i[pointer int bool], :pointer
    attach_function :torsh_softmax, %i[pointer int], :pointer
    attach_function :torsh_log_softmax, %i[pointer int], :pointer

    # shapes and copies
    attach_function :torsh_reshape, %i[pointer pointer int], :pointer
    attach_function :torsh_transpose, %i[pointer int int], :pointer
    attach_function :torsh_contiguous, [:pointer], :pointer
    attach_function :torsh_cast, %i[pointer int], :pointer
    attach_function :torsh_fill, %i[pointer double], :int
    attach_function :torsh_copy, %i[pointer pointer], :int

    # losses
    attach_function :torsh_mse_loss, %i[pointer pointer], :pointer
    attach_function :torsh_cross_entropy, %i[pointer pointer], :pointer

    # autograd
    attach_function :torsh_tensor_set_requires_grad, %i[pointer bool], :int
    attach_function :torsh_tensor_requires_grad, [:pointer], :int
    attach_function :torsh_tensor_grad, [:pointer], :pointer
    attach_function :torsh_tensor_zero_grad, [:pointer], :int
    attach_function :torsh_backward, %i[pointer bool], :int
    attach_function :torsh_no_grad_begin, [], :void
    attach_function :torsh_no_grad_end, [], :int

    # modules
    attach_function :torsh_sequential_new, [], :pointer
    attach_function :torsh_sequential_add, %i[pointer pointer], :int
    attach_function :torsh_linear_new, %i[int64 int64 bool], :pointer
    attach_function :torsh_relu_new, [], :pointer
    attach_function :torsh_sigmoid_new, [], :pointer
    attach_function :torsh_tanh_new, [], :pointer
    attach_function :torsh_module_forward, %i[pointer pointer], :pointer
    attach_function :torsh_module_parameters, [:pointer], :pointer
    attach_function :torsh_module_free, [:pointer], :int
    attach_function :torsh_params_count, [:pointer], :int64
    attach_function :torsh_params_get, %i[pointer int64], :pointer
    attach_function :torsh_params_free, [:pointer], :int

    # optimizers
    attach_function :torsh_sgd_new, %i[pointer double double], :pointer
    attach_function :torsh_adam_new, %i[pointer double double double double], :pointer
    attach_function :torsh_optimizer_zero_grad, [:pointer], :int
    attach_function :torsh_optimizer_step, [:pointer], :int
    attach_function :torsh_optimizer_free, [:pointer], :int
  end

  MISSING_FUNCTIONS.freeze

  # ------------------------------------------------------------------ checking calls

  # The calling thread's last error as an exception (not raised).
  def self.last_error
    code = torsh_last_error
    message = torsh_last_error_message
    message = "#{torsh_status_string(code)} (no message)" if message.nil? || message.empty?
    error_class(code).new(message, code)
  end

  # Raises the error of a nonzero status; returns nil.
  def self.check(status)
    return nil if status.zero?

    code = torsh_last_error
    message = torsh_last_error_message
    # The last error normally describes this failure; fall back to the status itself.
    message = torsh_status_string(status) if code != status || message.nil? || message.empty?
    raise error_class(status).new(message, status)
  end

  # Returns ptr, or raises the thread's last error when it is NULL.
  def self.check_pointer(ptr)
    raise last_error if ptr.nil? || ptr.null?

    ptr
  end

  # Returns value, or raises the thread's last error when it is negative (-1 sentinel).
  def self.check_count(value)
    raise last_error if value.negative?

    value
  end

  # Records `code` as the thread's last error via torsh_debug_raise and raises it
  # (for tests of the error mapping).
  def self.debug_raise(code)
    check(torsh_debug_raise(code))
  end

  # ------------------------------------------------------------------ dtypes

  DTYPES = { f32: 0, f64: 1, i32: 2, i64: 3, bool: 4, f16: 5, bf16: 6, i8: 7, u8: 8 }.freeze
  DTYPE_NAMES = DTYPES.invert.freeze
  # FFI element types used to read and write tensor data.
  ELEMENT_TYPES = {
    f32: :float, f64: :double, i32: :int32, i64: :int64, bool: :uint8, i8: :int8, u8: :uint8
  }.freeze
  FLOAT_DTYPES = %i[f32 f64 f16 bf16].freeze

  def self.dtype_code(dtype)
    return dtype if dtype.is_a?(Integer)

    DTYPES.fetch(dtype.to_sym) do
      raise DTypeError.new("unknown dtype #{dtype.inspect} (one of #{DTYPES.keys.join(', ')})", 4)
    end
  end

  def self.int64_array(values)
    values = values.map { |v| Integer(v) }
    ptr = FFI::MemoryPointer.new(:int64, [values.size, 1].max)
    ptr.put_array_of_int64(0, values) unless values.empty?
    ptr
  end

  # ------------------------------------------------------------------ module functions

  def self.version
    torsh_version_string
  end

  def self.init
    check(torsh_init)
  end

  # torsh_memory_stats as a Hash (:bytes_live, ..., :handles_live, :limit_bytes).
  def self.memory_stats
    stats = MemoryStats.new
    check(torsh_memory_stats(stats))
    stats.to_h
  end

  def self.num_threads
    torsh_get_num_threads
  end

  def self.num_threads=(n)
    check(torsh_set_num_threads(n))
  end

  def self.manual_seed(seed)
    torsh_manual_seed(seed)
  end

  # Runs the block with autograd recording off on this thread.
  def self.no_grad
    torsh_no_grad_begin
    begin
      yield
    ensure
      check(torsh_no_grad_end)
    end
  end

  def self.mse_loss(input, target)
    Tensor.wrap(check_pointer(torsh_mse_loss(input.handle, Tensor.coerce_arg(target, input).handle)))
  end

  # target: class indices (an i64 / i32 tensor or an Array of Integers).
  def self.cross_entropy(logits, target)
    target = Tensor.from_array(target, dtype: :i64) if target.is_a?(Array)
    Tensor.wrap(check_pointer(torsh_cross_entropy(logits.handle, target.handle)))
  end

  # ------------------------------------------------------------------ tensors

  # A torsh tensor. The handle is released by the garbage collector (or by #release!).
  class Tensor
    RELEASE = ToRSh.method(:torsh_tensor_release)

    # Takes over a new reference (a pointer returned by a torsh function).
    def self.wrap(ptr)
      ToRSh.check_pointer(ptr)
      ptr = FFI::Pointer.new(ptr.address) if ptr.is_a?(FFI::AutoPointer)
      new(FFI::AutoPointer.new(ptr, RELEASE))
    end

    # Retains a borrowed handle (a pointer, or the handle of another Tensor) and wraps the
    # new reference.
    def self.borrow(ptr)
      ToRSh.check_pointer(ptr)
      ToRSh.check(ToRSh.torsh_tensor_retain(ptr))
      wrap(ptr)
    end

    # data: a flat Array with shape (numel(shape) values), or a nested Array whose shape
    # is inferred when shape is nil; a bare number gives a 0-d tensor. dtype: :f32 (the
    # default), :f64, :i32, :i64, :bool, :i8, :u8.
    def self.from_array(data, shape = nil, dtype: :f32)
      dtype = dtype.to_sym
      type = ELEMENT_TYPES[dtype] or
        raise DTypeError.new("from_array cannot write dtype #{dtype} (cast an f32 tensor)", 4)
      flat = Array(data).flatten
      shape = infer_shape(data) if shape.nil?
      shape = Array(shape).map { |s| Integer(s) }
      numel = shape.reduce(1, :*)
      unless flat.size == numel
        raise ShapeMismatchError.new(
          "from_array: #{flat.size} values do not fill shape (#{shape.join(', ')}) " \
          "of #{numel} elements", 3)
      end
      values = flat.map { |v| convert(v, dtype) }
      buffer = FFI::MemoryPointer.new(type, [numel, 1].max)
      buffer.send(:"put_array_of_#{type}", 0, values) unless values.empty?
      wrap(ToRSh.torsh_tensor_from_array(buffer, ToRSh.int64_array(shape), shape.size,
                                         ToRSh.dtype_code(dtype)))
    end

    # A 0-d tensor.
    def self.scalar(value, dtype: :f32)
      from_array([value], [], dtype: dtype)
    end

    def self.zeros(*shape, dtype: :f32)
      shape = shape.flatten
      wrap(ToRSh.torsh_tensor_zeros(ToRSh.int64_array(shape), shape.size, ToRSh.dtype_code(dtype)))
    end

    def self.ones(*shape, dtype: :f32)
      t = zeros(*shape, dtype: dtype)
      t.fill!(1)
    end

    # Uniform [0, 1) / standard normal samples (ToRSh.manual_seed seeds them).
    def self.rand(*shape, dtype: :f32)
      shape = shape.flatten
      wrap(ToRSh.torsh_tensor_rand(ToRSh.int64_array(shape), shape.size, ToRSh.dtype_code(dtype)))
    end

    def self.randn(*shape, dtype: :f32)
      shape = shape.flatten
      wrap(ToRSh.torsh_tensor_randn(ToRSh.int64_array(shape), shape.size, ToRSh.dtype_code(dtype)))
    end

    def self.infer_shape(data)
      shape = []
      while data.is_a?(Array)
        shape << data.size
        data = data.first
      end
      shape
    end

    def self.convert(value, dtype)
      case dtype
      when :f32, :f64 then Float(value)
      when :bool then value == true || (value.is_a?(Numeric) && value != 0) ? 1 : 0
      else Integer(value)
      end
    end

    # other as a tensor for an op with `like`: a Tensor as is, a number as a 0-d tensor
    # of like's dtype (f32 for a Float with an integer tensor), an Array via from_array.
    def self.coerce_arg(other, like)
      case other
      when Tensor then other
      when Numeric
        dtype = like.dtype
        dtype = :f32 if other.is_a?(Float) && !FLOAT_DTYPES.include?(dtype)
        dtype = :i64 if dtype == :bool
        dtype = :f32 if %i[f16 bf16].include?(dtype)
        scalar(other, dtype: dtype)
      when Array then from_array(other, dtype: like.dtype == :f64 ? :f64 : :f32)
      else raise TypeError, "cannot use #{other.class} as a ToRSh::Tensor"
      end
    end

    private_class_method :new, :infer_shape, :convert

    def initialize(handle)
      @handle = handle
    end

    # The torsh_tensor_t* (an FFI::AutoPointer) for calls of the raw ToRSh.torsh_* functions.
    attr_reader :handle

    # Releases the handle now instead of at garbage collection; later use of this
    # tensor raises ToRSh::InvalidHandleError.
    def release!
      @handle.free unless @released
      @released = true
      nil
    end

    # ---- metadata

    def ndim
      ToRSh.check_count(ToRSh.torsh_tensor_ndim(@handle))
    end

    def shape
      n = ndim
      ToRSh.check_pointer(ToRSh.torsh_tensor_shape(@handle)).read_array_of_int64(n)
    end

    def strides
      n = ndim
      ToRSh.check_pointer(ToRSh.torsh_tensor_strides(@handle)).read_array_of_int64(n)
    end

    def dtype
      code = ToRSh.torsh_tensor_dtype(@handle)
      raise ToRSh.last_error if code.negative?

      DTYPE_NAMES.fetch(code)
    end

    def numel
      ToRSh.check_count(ToRSh.torsh_tensor_numel(@handle))
    end
    alias size numel

    def nbytes
      ToRSh.check_count(ToRSh.torsh_tensor_nbytes(@handle))
    end

    def contiguous?
      ToRSh.check_count(ToRSh.torsh_tensor_is_contiguous(@handle)) == 1
    end

    def refcount
      ToRSh.check_count(ToRSh.torsh_tensor_refcount(@handle))
    end

    # ---- data

    # The elements in row-major order as a flat Array (Floats for f32/f64, Integers for
    # integer dtypes, true/false for bool).
    def to_a
      type = dtype
      return cast(:f32).to_a if %i[f16 bf16].include?(type)

      src = self
      src = Tensor.wrap(ToRSh.torsh_tensor_contiguous(@handle)) unless contiguous?
      n = src.numel
      return [] if n.zero?

      ptr = ToRSh.check_pointer(ToRSh.torsh_tensor_data_ptr(src.handle))
      values = ptr.send(:"read_array_of_#{ELEMENT_TYPES.fetch(type)}", n)
      type == :bool ? values.map { |v| v != 0 } : values
    end

    # The elements nested by shape ([[1.0, 2.0], [3.0, 4.0]]); a 0-d tensor gives its value.
    def to_nested
      flat = to_a
      dims = shape
      return flat.first if dims.empty?

      nest = lambda do |(n, *rest), offset|
        step = rest.reduce(1, :*)
        Array.new(n) { |i| rest.empty? ? flat[offset + i] : nest.call(rest, offset + i * step) }
      end
      nest.call(dims, 0)
    end

    # The value of a one-element tensor.
    def item
      unless numel == 1
        raise InvalidArgumentError.new("item of a tensor of #{numel} elements (shape #{shape})", 8)
      end

      to_a.first
    end

    def to_f
      item.to_f
    end

    def inspect
      values = to_a
      shown = values.size > 8 ? "#{values.first(8).inspect[0..-2]}, ...]" : values.inspect
      "#<ToRSh::Tensor shape=#{shape} dtype=#{dtype} #{shown}>"
    rescue ToRSh::Error => e
      "#<ToRSh::Tensor (#{e.class.name.split('::').last}: #{e.message})>"
    end
    alias to_s inspect

    # ---- arithmetic (broadcasting, promotion)

    def +(other) = binary(:torsh_add, other)
    def -(other) = binary(:torsh_sub, other)
    def *(other) = binary(:torsh_mul, other)
    def /(other) = binary(:torsh_div, other)
    def **(other) = binary(:torsh_pow, other)
    def -@ = unary(:torsh_neg)
    def +@ = self

    # 2 * t, 1.0 - t, ...: Ruby asks the tensor to coerce the number.
    def coerce(other)
      [Tensor.coerce_arg(other, self), self]
    end

    def matmul(other) = binary(:torsh_matmul, other)
    def exp = unary(:torsh_exp)
    def log = unary(:torsh_log)
    def sqrt = unary(:torsh_sqrt)
    def tanh = unary(:torsh_tanh)
    def sigmoid = unary(:torsh_sigmoid)
    def relu = unary(:torsh_relu)
    def gelu = unary(:torsh_gelu)

    # ---- reductions: over everything (a 0-d tensor), or along dim

    def sum(dim = nil, keepdim: false) = reduce(:torsh_sum, dim, keepdim)
    def mean(dim = nil, keepdim: false) = reduce(:torsh_mean, dim, keepdim)
    def max(dim = nil, keepdim: false) = reduce(:torsh_max, dim, keepdim)

    def softmax(dim)
      Tensor.wrap(ToRSh.torsh_softmax(@handle, dim))
    end

    def log_softmax(dim)
      Tensor.wrap(ToRSh.torsh_log_softmax(@handle, dim))
    end

    # ---- shapes and copies

    def reshape(*shape)
      shape = shape.flatten
      Tensor.wrap(ToRSh.torsh_reshape(@handle, ToRSh.int64_array(shape), shape.size))
    end

    def transpose(dim0 = 0, dim1 = 1)
      Tensor.wrap(ToRSh.torsh_transpose(@handle, dim0, dim1))
    end

    def t = transpose(0, 1)

    def contiguous
      Tensor.wrap(ToRSh.torsh_contiguous(@handle))
    end

    def cast(dtype)
      Tensor.wrap(ToRSh.torsh_cast(@handle, ToRSh.dtype_code(dtype)))
    end
    alias to cast

    # In place (not recorded by autograd); returns self.
    def fill!(value)
      ToRSh.check(ToRSh.torsh_fill(@handle, Float(value)))
      self
    end

    # Copies src (broadcast, converted) into self in place; returns self.
    def copy!(src)
      ToRSh.check(ToRSh.torsh_copy(@handle, Tensor.coerce_arg(src, self).handle))
      self
    end

    def mse_loss(target) = ToRSh.mse_loss(self, target)
    def cross_entropy(target) = ToRSh.cross_entropy(self, target)

    # ---- autograd

    def requires_grad=(flag)
      ToRSh.check(ToRSh.torsh_tensor_set_requires_grad(@handle, flag ? true : false))
    end

    def requires_grad?
      ToRSh.check_count(ToRSh.torsh_tensor_requires_grad(@handle)) == 1
    end
    alias requires_grad requires_grad?

    # Marks self as a leaf requiring grad; returns self (chainable).
    def requires_grad!(flag = true)
      self.requires_grad = flag
      self
    end

    # The accumulated gradient, or nil when there is none (yet).
    def grad
      ToRSh.torsh_clear_error
      ptr = ToRSh.torsh_tensor_grad(@handle)
      if ptr.null?
        return nil if ToRSh.torsh_last_error.zero?

        raise ToRSh.last_error
      end
      Tensor.wrap(ptr)
    end

    def zero_grad!
      ToRSh.check(ToRSh.torsh_tensor_zero_grad(@handle))
      self
    end

    def backward(retain_graph: false)
      ToRSh.check(ToRSh.torsh_backward(@handle, retain_graph ? true : false))
      nil
    end

    private

    def binary(function, other)
      other = Tensor.coerce_arg(other, self)
      Tensor.wrap(ToRSh.send(function, @handle, other.handle))
    end

    def unary(function)
      Tensor.wrap(ToRSh.send(function, @handle))
    end

    def reduce(function, dim, keepdim)
      return Tensor.wrap(ToRSh.send(function, @handle)) if dim.nil?

      Tensor.wrap(ToRSh.send(:"#{function}_dim", @handle, Integer(dim), keepdim ? true : false))
    end
  end

  # ------------------------------------------------------------------ modules

  # A parameter list (torsh_params_t) and the parameter tensors it holds. An optimizer
  # takes the list over; the Tensors stay usable (each holds its own reference).
  class Parameters
    include Enumerable

    def initialize(ptr)
      ToRSh.check_pointer(ptr)
      @handle = FFI::AutoPointer.new(ptr, ToRSh.method(:torsh_params_free))
      count = ToRSh.check_count(ToRSh.torsh_params_count(@handle))
      @tensors = Array.new(count) { |i| Tensor.borrow(ToRSh.torsh_params_get(@handle, i)) }.freeze
    end

    def each(&block) = @tensors.each(&block)
    def size = @tensors.size
    def [](index) = @tensors[index]
    def to_a = @tensors.dup

    # Hands the C list to a function that takes it over (an optimizer constructor).
    def take_handle
      if @taken
        raise InvalidArgumentError.new('this parameter list was already given to an optimizer', 8)
      end

      @taken = true
      @handle.autorelease = false # the taker frees it, even when it fails
      @handle
    end
  end

  # Base class of the modules: torsh_module_t handles freed by the garbage collector,
  # unless a Sequential owns them.
  class Module
    def initialize(ptr)
      ToRSh.check_pointer(ptr)
      @handle = FFI::AutoPointer.new(ptr, ToRSh.method(:torsh_module_free))
      @owner = nil
    end

    attr_reader :handle, :owner

    # The module applied to input (recorded by autograd).
    def forward(input)
      input = Tensor.from_array(input) if input.is_a?(Array)
      Tensor.wrap(ToRSh.torsh_module_forward(@handle, input.handle))
    end
    alias call forward

    # Parameters in registration order (Linear: weight, then bias).
    def parameters
      Parameters.new(ToRSh.torsh_module_parameters(@handle))
    end

    def inspect
      "#<#{self.class.name}>"
    end

    # Sequential#add: the sequential frees the C module from now on; this Ruby object
    # keeps the sequential alive while it is reachable.
    def adopt_by(sequential)
      if @owner
        raise InvalidArgumentError.new("#{inspect} already belongs to a Sequential", 8)
      end

      @owner = sequential
      @handle.autorelease = false
      @handle
    end
    protected :adopt_by
  end

  # torsh.nn.Sequential: applies its modules in order.
  class Sequential < Module
    def initialize(*modules)
      super(ToRSh.torsh_sequential_new)
      @modules = []
      modules.flatten.each { |m| add(m) }
    end

    # Appends a module (the sequential takes it over); returns self.
    def add(mod)
      raise TypeError, "Sequential#add expects a ToRSh::Module, got #{mod.class}" unless
        mod.is_a?(ToRSh::Module)
      if mod.equal?(self)
        raise InvalidArgumentError.new('cannot add a Sequential to itself', 8)
      end

      child = mod.adopt_by(self)
      @modules << mod
      ToRSh.check(ToRSh.torsh_sequential_add(@handle, child))
      self
    end
    alias << add

    def modules = @modules.dup
    def size = @modules.size

    def inspect
      "#<ToRSh::Sequential #{@modules.map(&:inspect).join(', ')}>"
    end
  end

  # torsh.nn.Linear: y = x W^T + b (f32, torch's initialization).
  class Linear < Module
    attr_reader :in_features, :out_features

    def initialize(in_features, out_features, bias: true)
      @in_features = in_features
      @out_features = out_features
      @bias = bias
      super(ToRSh.torsh_linear_new(in_features, out_features, bias ? true : false))
    end

    def weight = parameters[0]
    def bias = @bias ? parameters[1] : nil

    def inspect
      "#<ToRSh::Linear #{@in_features} -> #{@out_features}#{@bias ? '' : ', no bias'}>"
    end
  end

  class ReLU < Module
    def initialize = super(ToRSh.torsh_relu_new)
  end

  class Sigmoid < Module
    def initialize = super(ToRSh.torsh_sigmoid_new)
  end

  class Tanh < Module
    def initialize = super(ToRSh.torsh_tanh_new)
  end

  # ------------------------------------------------------------------ optimizers

  # Base class of the optimizers. params: a Module (its parameters) or a Parameters
  # list (taken over: it cannot be given to another optimizer).
  class Optimizer
    attr_reader :parameters

    def zero_grad
      ToRSh.check(ToRSh.torsh_optimizer_zero_grad(@handle))
      nil
    end

    def step
      ToRSh.check(ToRSh.torsh_optimizer_step(@handle))
      nil
    end

    private

    def setup(params)
      @parameters = params.is_a?(Parameters) ? params : params.parameters
      ptr = yield @parameters.take_handle
      @handle = FFI::AutoPointer.new(ToRSh.check_pointer(ptr), ToRSh.method(:torsh_optimizer_free))
    end
  end

  # torch.optim.Adam(params, lr, betas, eps).
  class Adam < Optimizer
    def initialize(params, lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8)
      super()
      beta1, beta2 = betas
      setup(params) { |list| ToRSh.torsh_adam_new(list, lr, beta1, beta2, eps) }
    end
  end

  # torch.optim.SGD(params, lr, momentum).
  class SGD < Optimizer
    def initialize(params, lr:, momentum: 0.0)
      super()
      setup(params) { |list| ToRSh.torsh_sgd_new(list, lr, momentum) }
    end
  end

  # ------------------------------------------------------------------ version check

  found = torsh_version_number
  if found / 100 != VERSION_NUMBER / 100
    raise VersionMismatchError.new(
      "#{LIBRARY_PATH} has version number #{found} but these bindings expect " \
      "#{VERSION_MAJOR}.#{VERSION_MINOR}.x (#{VERSION_NUMBER})", 13)
  end
end

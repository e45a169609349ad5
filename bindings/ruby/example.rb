# frozen_string_literal: true

# A tour of the Ruby bindings: ruby bindings/ruby/example.rb
# (set TORSH_LIBRARY to use another libtorsh.so than the repository's torsh/lib one).

require_relative 'lib/torsh'

ToRSh.init
puts "libtorsh #{ToRSh.version} (#{ToRSh::LIBRARY_PATH})"

# Tensors: from flat values and a shape, or from nested arrays.
a = ToRSh::Tensor.from_array([1, 2, 3, 4, 5, 6], [2, 3])
b = ToRSh::Tensor.from_array([[10, 20, 30], [40, 50, 60]])
puts "a + b          = #{(a + b).to_nested.inspect}"
puts "a * 2 - 1      = #{(a * 2 - 1).to_nested.inspect}"
w = ToRSh::Tensor.from_array([1, 0, 0, 1, 1, 1], [3, 2])
puts "a.matmul(w)    = #{a.matmul(w).to_nested.inspect}"
puts "relu(a - 3)    = #{(a - 3).relu.to_a.inspect}, sum #{(a - 3).relu.sum.item}"

# Autograd: d/dx sum(x * x) = 2x.
x = ToRSh::Tensor.from_array([1, 2, 3]).requires_grad!
(x * x).sum.backward
puts "grad of sum(x*x) at #{x.to_a.inspect} = #{x.grad.to_a.inspect}"

# Training a tiny MLP with Adam on y = 2 x0 - 3 x1 + 0.5.
ToRSh.manual_seed(0)
inputs = ToRSh::Tensor.rand(64, 2)
targets = inputs.matmul(ToRSh::Tensor.from_array([2, -3], [2, 1])) + 0.5

model = ToRSh::Sequential.new(ToRSh::Linear.new(2, 16), ToRSh::ReLU.new, ToRSh::Linear.new(16, 1))
optimizer = ToRSh::Adam.new(model.parameters, lr: 0.05)
losses = []
(1..80).each do |step|
  optimizer.zero_grad
  loss = model.call(inputs).mse_loss(targets)
  loss.backward
  optimizer.step
  losses << loss.item
  puts format('step %3d  loss %.5f', step, losses.last) if step == 1 || (step % 10).zero?
end
raise "the loss did not fall: #{losses.first} -> #{losses.last}" unless losses.last < losses.first / 5

# Errors surface as Ruby exceptions named after the torsh status.
begin
  ToRSh::Tensor.zeros(2, 3).matmul(ToRSh::Tensor.zeros(4, 5))
rescue ToRSh::ShapeMismatchError => e
  puts "caught #{e.class} (status #{e.code}): #{e.message}"
end

# Handles are released by the garbage collector (FFI::AutoPointer).
GC.start
puts "live handles after GC: #{ToRSh.memory_stats[:handles_live]}"

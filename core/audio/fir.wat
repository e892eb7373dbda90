;; The resampler's inner product (core/audio/resample.ts): one output sample is
;;   Σ_j f64(x[j]) · h[j],  j < k,  x float32 input samples, h float64 filter taps, k even,
;; summed as two partial sums (the even taps in lane 0, the odd taps in lane 1), each in
;; order, then lane 0 + lane 1. resample.ts's JS fallback sums in exactly this order, so
;; both give the same bits. Addresses are byte offsets into the instance's own memory,
;; which resample.ts sizes and grows.
(module
  (memory (export "memory") 1)
  (func (export "dot") (param $x i32) (param $h i32) (param $k i32) (result f64)
    (local $acc v128) (local $end i32)
    (local.set $end (i32.add (local.get $h) (i32.shl (local.get $k) (i32.const 3))))
    (block $done
      (loop $taps
        (br_if $done (i32.ge_u (local.get $h) (local.get $end)))
        ;; (x[j], x[j+1]) widened to f64x2, times (h[j], h[j+1]), added to the two sums
        (local.set $acc
          (f64x2.add (local.get $acc)
            (f64x2.mul
              (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x)))
              (v128.load (local.get $h)))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $taps)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
)

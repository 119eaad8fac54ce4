;; The sweep of DenseInverseHessian (denseInverse.ts) in WebAssembly SIMD: one pass over the upper
;; triangle of H (row-major, an even row stride so that every row's even columns are 16-byte
;; aligned) that applies the remembered BFGS update entry by entry,
;;   H_ij ← τ·H_ij + a_i·Hy_j + b_i·s_j,   a_i = −ρ·s_i,   b_i = c·s_i − ρ·Hy_i,
;; and accumulates out1 += H·v1 and out2 += H·v2 from the updated entries (each off-diagonal entry
;; serves row i and, by symmetry, row j). Without a remembered update the caller passes τ = 1 and
;; ρ = c = 0, so the same pass is a plain product.
;; Built by scripts/build-wasm.mjs into denseSweepWasm.ts; test/unit/optim/denseSweepWasm.test.ts
;; checks that rebuilding reproduces the committed bytes.
(module
  (import "env" "memory" (memory 1))

  ;; All pointers are byte offsets into the memory; n and stride count entries; out1, out2 start at 0.
  (func (export "sweep")
    (param $n i32) (param $stride i32)
    (param $H i32) (param $s i32) (param $Hy i32)
    (param $v1 i32) (param $v2 i32) (param $o1 i32) (param $o2 i32)
    (param $tau f64) (param $rho f64) (param $c f64)
    (local $i i32) (local $j i32) (local $k i32) (local $kEnd i32) (local $row i32) (local $p i32)
    (local $a f64) (local $b f64) (local $x1 f64) (local $x2 f64)
    (local $h f64) (local $acc1 f64) (local $acc2 f64)
    (local $tv v128) (local $av v128) (local $bv v128) (local $x1v v128) (local $x2v v128)
    (local $hv v128) (local $gv v128) (local $acc1v v128) (local $acc2v v128) (local $acc1w v128) (local $acc2w v128)
    (local $q i32) (local $r i32)
    (local.set $tv (f64x2.splat (local.get $tau)))
    ;; Pairs of columns end before the last one when n is odd.
    (local.set $kEnd (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $row (local.get $H))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (i32.shl (local.get $i) (i32.const 3)))
        (local.set $a (f64.mul (f64.neg (local.get $rho)) (f64.load (i32.add (local.get $s) (local.get $k)))))
        (local.set $b
          (f64.sub
            (f64.mul (local.get $c) (f64.load (i32.add (local.get $s) (local.get $k))))
            (f64.mul (local.get $rho) (f64.load (i32.add (local.get $Hy) (local.get $k))))))
        (local.set $x1 (f64.load (i32.add (local.get $v1) (local.get $k))))
        (local.set $x2 (f64.load (i32.add (local.get $v2) (local.get $k))))
        ;; The diagonal entry: it serves row i only.
        (local.set $p (i32.add (local.get $row) (local.get $k)))
        (local.set $h
          (f64.add
            (f64.add
              (f64.mul (local.get $tau) (f64.load (local.get $p)))
              (f64.mul (local.get $a) (f64.load (i32.add (local.get $Hy) (local.get $k)))))
            (f64.mul (local.get $b) (f64.load (i32.add (local.get $s) (local.get $k))))))
        (f64.store (local.get $p) (local.get $h))
        (local.set $acc1 (f64.mul (local.get $h) (local.get $x1)))
        (local.set $acc2 (f64.mul (local.get $h) (local.get $x2)))
        (local.set $j (i32.add (local.get $i) (i32.const 1)))
        ;; An odd first column is taken alone, so that the pairs start 16-byte aligned.
        (if (i32.and
              (i32.lt_u (local.get $j) (local.get $n))
              (i32.and (local.get $j) (i32.const 1)))
          (then
            (local.set $k (i32.shl (local.get $j) (i32.const 3)))
            (call $single (local.get $row) (local.get $k) (local.get $s) (local.get $Hy)
              (local.get $o1) (local.get $o2) (local.get $tau) (local.get $a) (local.get $b)
              (local.get $x1) (local.get $x2))
            (local.set $acc1 (f64.add (local.get $acc1)
              (f64.mul (f64.load (i32.add (local.get $row) (local.get $k)))
                       (f64.load (i32.add (local.get $v1) (local.get $k))))))
            (local.set $acc2 (f64.add (local.get $acc2)
              (f64.mul (f64.load (i32.add (local.get $row) (local.get $k)))
                       (f64.load (i32.add (local.get $v2) (local.get $k))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))))
        (local.set $av (f64x2.splat (local.get $a)))
        (local.set $bv (f64x2.splat (local.get $b)))
        (local.set $x1v (f64x2.splat (local.get $x1)))
        (local.set $x2v (f64x2.splat (local.get $x2)))
        (local.set $acc1v (v128.const i64x2 0 0))
        (local.set $acc2v (v128.const i64x2 0 0))
        (local.set $acc1w (v128.const i64x2 0 0))
        (local.set $acc2w (v128.const i64x2 0 0))
        (local.set $k (i32.shl (local.get $j) (i32.const 3)))
        ;; Two pairs a turn (the second at offset 16 from the same addresses), two accumulators each.
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_s (i32.add (local.get $k) (i32.const 32)) (local.get $kEnd)))
            (local.set $p (i32.add (local.get $row) (local.get $k)))
            (local.set $q (i32.add (local.get $Hy) (local.get $k)))
            (local.set $r (i32.add (local.get $s) (local.get $k)))
            (local.set $hv
              (f64x2.add
                (f64x2.add
                  (f64x2.mul (local.get $tv) (v128.load (local.get $p)))
                  (f64x2.mul (local.get $av) (v128.load (local.get $q))))
                (f64x2.mul (local.get $bv) (v128.load (local.get $r)))))
            (local.set $gv
              (f64x2.add
                (f64x2.add
                  (f64x2.mul (local.get $tv) (v128.load offset=16 (local.get $p)))
                  (f64x2.mul (local.get $av) (v128.load offset=16 (local.get $q))))
                (f64x2.mul (local.get $bv) (v128.load offset=16 (local.get $r)))))
            (v128.store (local.get $p) (local.get $hv))
            (v128.store offset=16 (local.get $p) (local.get $gv))
            (local.set $p (i32.add (local.get $v1) (local.get $k)))
            (local.set $acc1v (f64x2.add (local.get $acc1v) (f64x2.mul (local.get $hv) (v128.load (local.get $p)))))
            (local.set $acc1w (f64x2.add (local.get $acc1w) (f64x2.mul (local.get $gv) (v128.load offset=16 (local.get $p)))))
            (local.set $p (i32.add (local.get $v2) (local.get $k)))
            (local.set $acc2v (f64x2.add (local.get $acc2v) (f64x2.mul (local.get $hv) (v128.load (local.get $p)))))
            (local.set $acc2w (f64x2.add (local.get $acc2w) (f64x2.mul (local.get $gv) (v128.load offset=16 (local.get $p)))))
            (local.set $p (i32.add (local.get $o1) (local.get $k)))
            (v128.store (local.get $p)
              (f64x2.add (v128.load (local.get $p)) (f64x2.mul (local.get $hv) (local.get $x1v))))
            (v128.store offset=16 (local.get $p)
              (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.mul (local.get $gv) (local.get $x1v))))
            (local.set $p (i32.add (local.get $o2) (local.get $k)))
            (v128.store (local.get $p)
              (f64x2.add (v128.load (local.get $p)) (f64x2.mul (local.get $hv) (local.get $x2v))))
            (v128.store offset=16 (local.get $p)
              (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.mul (local.get $gv) (local.get $x2v))))
            (local.set $k (i32.add (local.get $k) (i32.const 32)))
            (br $quads)))
        ;; At most one pair is left.
        (if (i32.lt_s (local.get $k) (local.get $kEnd))
          (then
            (local.set $p (i32.add (local.get $row) (local.get $k)))
            (local.set $hv
              (f64x2.add
                (f64x2.add
                  (f64x2.mul (local.get $tv) (v128.load (local.get $p)))
                  (f64x2.mul (local.get $av) (v128.load (i32.add (local.get $Hy) (local.get $k)))))
                (f64x2.mul (local.get $bv) (v128.load (i32.add (local.get $s) (local.get $k))))))
            (v128.store (local.get $p) (local.get $hv))
            (local.set $acc1v (f64x2.add (local.get $acc1v)
              (f64x2.mul (local.get $hv) (v128.load (i32.add (local.get $v1) (local.get $k))))))
            (local.set $acc2v (f64x2.add (local.get $acc2v)
              (f64x2.mul (local.get $hv) (v128.load (i32.add (local.get $v2) (local.get $k))))))
            (local.set $p (i32.add (local.get $o1) (local.get $k)))
            (v128.store (local.get $p)
              (f64x2.add (v128.load (local.get $p)) (f64x2.mul (local.get $hv) (local.get $x1v))))
            (local.set $p (i32.add (local.get $o2) (local.get $k)))
            (v128.store (local.get $p)
              (f64x2.add (v128.load (local.get $p)) (f64x2.mul (local.get $hv) (local.get $x2v))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))))
        (local.set $acc1v (f64x2.add (local.get $acc1v) (local.get $acc1w)))
        (local.set $acc2v (f64x2.add (local.get $acc2v) (local.get $acc2w)))
        ;; The last column when n is odd (k is then past every pair, at or beyond it).
        (if (i32.lt_s (local.get $k) (i32.shl (local.get $n) (i32.const 3)))
          (then
            (call $single (local.get $row) (local.get $k) (local.get $s) (local.get $Hy)
              (local.get $o1) (local.get $o2) (local.get $tau) (local.get $a) (local.get $b)
              (local.get $x1) (local.get $x2))
            (local.set $acc1 (f64.add (local.get $acc1)
              (f64.mul (f64.load (i32.add (local.get $row) (local.get $k)))
                       (f64.load (i32.add (local.get $v1) (local.get $k))))))
            (local.set $acc2 (f64.add (local.get $acc2)
              (f64.mul (f64.load (i32.add (local.get $row) (local.get $k)))
                       (f64.load (i32.add (local.get $v2) (local.get $k))))))))
        (local.set $acc1 (f64.add (local.get $acc1)
          (f64.add (f64x2.extract_lane 0 (local.get $acc1v)) (f64x2.extract_lane 1 (local.get $acc1v)))))
        (local.set $acc2 (f64.add (local.get $acc2)
          (f64.add (f64x2.extract_lane 0 (local.get $acc2v)) (f64x2.extract_lane 1 (local.get $acc2v)))))
        (local.set $k (i32.shl (local.get $i) (i32.const 3)))
        (local.set $p (i32.add (local.get $o1) (local.get $k)))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $acc1)))
        (local.set $p (i32.add (local.get $o2) (local.get $k)))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $acc2)))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $stride) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; One off-diagonal entry (row at byte offset k): updates it in place and adds its share to out1,
  ;; out2 at column j; the caller adds the row's share from the stored entry.
  (func $single
    (param $row i32) (param $k i32) (param $s i32) (param $Hy i32) (param $o1 i32) (param $o2 i32)
    (param $tau f64) (param $a f64) (param $b f64) (param $x1 f64) (param $x2 f64)
    (local $h f64) (local $p i32)
    (local.set $p (i32.add (local.get $row) (local.get $k)))
    (local.set $h
      (f64.add
        (f64.add
          (f64.mul (local.get $tau) (f64.load (local.get $p)))
          (f64.mul (local.get $a) (f64.load (i32.add (local.get $Hy) (local.get $k)))))
        (f64.mul (local.get $b) (f64.load (i32.add (local.get $s) (local.get $k))))))
    (f64.store (local.get $p) (local.get $h))
    (local.set $p (i32.add (local.get $o1) (local.get $k)))
    (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.mul (local.get $h) (local.get $x1))))
    (local.set $p (i32.add (local.get $o2) (local.get $k)))
    (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.mul (local.get $h) (local.get $x2))))))

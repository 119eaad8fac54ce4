;; The dense Cholesky factorisation and solves of cholesky.ts in WebAssembly SIMD, for
;; Levenberg–Marquardt's damped normal equations and Bayesian regularization's tr(H⁻¹). A is
;; row-major with an even row stride (so every row starts 16-byte aligned), and only its lower
;; triangle is read; the factor L (A = LLᵀ) is written over it.
;;
;; The factor is left-looking: L_ij = (A_ij − L_i,0:j · L_j,0:j) / L_jj, the dot products running
;; along contiguous rows. Dot products are taken for four rows and two columns at a time, so each
;; pair of row-i entries loaded serves two columns and each pair of row-j entries four rows; and
;; for large n columns go in panels, the part of each dot product left of the panel in chunks
;; that stay in cache across the panel, so the rows below are read from memory once per panel.
;; Built by scripts/build-wasm.mjs into choleskyWasm.ts; test/unit/optim/choleskyWasm.test.ts checks
;; that rebuilding reproduces the committed bytes.
(module
  (import "env" "memory" (memory 1))

  ;; Σ p[k]·q[k] over len entries (byte offsets p, q; any alignment).
  (func $dot (param $p i32) (param $q i32) (param $len i32) (result f64)
    (local $end i32) (local $acc v128) (local $acw v128) (local $s f64)
    (local.set $acc (v128.const i64x2 0 0))
    (local.set $acw (v128.const i64x2 0 0))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 3))))
    (block $done4
      (loop $quads
        (br_if $done4 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $acw (f64x2.add (local.get $acw)
          (f64x2.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $quads)))
    (local.set $acc (f64x2.add (local.get $acc) (local.get $acw)))
    (if (i32.and (local.get $len) (i32.const 2))
      (then
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $p)) (f64.load (local.get $q)))))))
    (local.get $s))

  ;; The eight dot products of rows p, p+rs, p+2rs, p+3rs with rows q0 and q1, over len entries (even),
  ;; written to out as [r0·q0, r0·q1, r1·q0, r1·q1, …].
  (func $dot4x2 (param $p i32) (param $rs i32) (param $q0 i32) (param $q1 i32) (param $len i32) (param $out i32)
    (local $end i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $p1 (i32.add (local.get $p) (local.get $rs)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $rs)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $rs)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $len) (i32.const 3))))
    (local.set $c00 (v128.const i64x2 0 0))
    (local.set $c01 (v128.const i64x2 0 0))
    (local.set $c10 (v128.const i64x2 0 0))
    (local.set $c11 (v128.const i64x2 0 0))
    (local.set $c20 (v128.const i64x2 0 0))
    (local.set $c21 (v128.const i64x2 0 0))
    (local.set $c30 (v128.const i64x2 0 0))
    (local.set $c31 (v128.const i64x2 0 0))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $b0 (v128.load (local.get $q0)))
        (local.set $b1 (v128.load (local.get $q1)))
        (local.set $a (v128.load (local.get $p)))
        (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load (local.get $p1)))
        (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load (local.get $p2)))
        (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load (local.get $p3)))
        (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
        (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
        (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
        (local.set $q0 (i32.add (local.get $q0) (i32.const 16)))
        (local.set $q1 (i32.add (local.get $q1) (i32.const 16)))
        (br $pairs)))
    (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c00)) (f64x2.extract_lane 1 (local.get $c00))))
    (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c01)) (f64x2.extract_lane 1 (local.get $c01))))
    (f64.store offset=16 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c10)) (f64x2.extract_lane 1 (local.get $c10))))
    (f64.store offset=24 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c11)) (f64x2.extract_lane 1 (local.get $c11))))
    (f64.store offset=32 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c20)) (f64x2.extract_lane 1 (local.get $c20))))
    (f64.store offset=40 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c21)) (f64x2.extract_lane 1 (local.get $c21))))
    (f64.store offset=48 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c30)) (f64x2.extract_lane 1 (local.get $c30))))
    (f64.store offset=56 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $c31)) (f64x2.extract_lane 1 (local.get $c31)))))

  ;; A pivot is usable when positive and finite (NaN fails the comparison).
  (func $pivotOk (param $d f64) (result i32)
    (i32.and (f64.gt (local.get $d) (f64.const 0)) (f64.ne (local.get $d) (f64.const inf))))

  ;; Factor A (n × n at byte offset A, row stride `stride` entries, even) in place: 1 when positive
  ;; definite, 0 at the first unusable pivot. `scratch` holds 8 entries. Panels of `width` columns
  ;; (even; n or more: one panel, no blocking): first every row's entries in the panel take the
  ;; columns left of it ($panelUpdate), then the panel is factored with the dot products left within
  ;; it ($panelFactor).
  (func (export "factor") (param $n i32) (param $stride i32) (param $A i32) (param $scratch i32) (param $width i32) (result i32)
    (local $rs i32) (local $j0 i32) (local $jEnd i32)
    (local.set $rs (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $j0 (i32.const 0))
    (block $ok
      (loop $panels
        (br_if $ok (i32.ge_u (local.get $j0) (local.get $n)))
        (local.set $jEnd (i32.add (local.get $j0) (local.get $width)))
        (if (i32.gt_u (local.get $jEnd) (local.get $n)) (then (local.set $jEnd (local.get $n))))
        (if (local.get $j0)
          (then (call $panelUpdate (local.get $n) (local.get $rs) (local.get $A) (local.get $j0) (local.get $jEnd) (local.get $scratch))))
        (if (i32.eqz (call $panelFactor (local.get $n) (local.get $rs) (local.get $A) (local.get $j0) (local.get $jEnd) (local.get $scratch)))
          (then (return (i32.const 0))))
        (local.set $j0 (local.get $jEnd))
        (br $panels)))
    (i32.const 1))

  ;; A_i,c −= L_i,0:j0 · L_c,0:j0 for the panel's columns c in j0:jEnd and every row i ≥ c. Rows below
  ;; the panel go four at a time, the dot products in chunks of 256 entries, so that a chunk of the
  ;; four rows stays in cache while every column pair of the panel passes over it: each row below is
  ;; read from memory once per panel rather than once per column pair. jEnd − j0 is even unless
  ;; jEnd = n, and then no row lies below the panel.
  (func $panelUpdate (param $n i32) (param $rs i32) (param $A i32) (param $j0 i32) (param $jEnd i32) (param $scratch i32)
    (local $i i32) (local $c i32) (local $ri i32) (local $rc i32) (local $p i32) (local $k0 i32) (local $len i32)
    (local $r i32)
    ;; The panel's own rows: one entry at a time (a triangle of at most 32 × 32 dot products).
    (local.set $i (local.get $j0))
    (local.set $ri (i32.add (local.get $A) (i32.mul (local.get $j0) (local.get $rs))))
    (block $diagDone
      (loop $diag
        (br_if $diagDone (i32.ge_u (local.get $i) (local.get $jEnd)))
        (local.set $c (local.get $j0))
        (local.set $rc (i32.add (local.get $A) (i32.mul (local.get $j0) (local.get $rs))))
        (block $entriesDone
          (loop $entries
            (br_if $entriesDone (i32.gt_u (local.get $c) (local.get $i)))
            (local.set $p (i32.add (local.get $ri) (i32.shl (local.get $c) (i32.const 3))))
            (f64.store (local.get $p)
              (f64.sub (f64.load (local.get $p)) (call $dot (local.get $ri) (local.get $rc) (local.get $j0))))
            (local.set $rc (i32.add (local.get $rc) (local.get $rs)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $entries)))
        (local.set $ri (i32.add (local.get $ri) (local.get $rs)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $diag)))
    ;; Rows below the panel, four at a time.
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $k0 (i32.const 0))
        (block $chunksDone
          (loop $chunks
            (br_if $chunksDone (i32.ge_u (local.get $k0) (local.get $j0)))
            (local.set $len (i32.sub (local.get $j0) (local.get $k0)))
            (if (i32.gt_u (local.get $len) (i32.const 256)) (then (local.set $len (i32.const 256))))
            (local.set $c (local.get $j0))
            (local.set $rc (i32.add (local.get $A) (i32.mul (local.get $j0) (local.get $rs))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (local.get $c) (local.get $jEnd)))
                (call $dot4x2
                  (i32.add (local.get $ri) (i32.shl (local.get $k0) (i32.const 3))) (local.get $rs)
                  (i32.add (local.get $rc) (i32.shl (local.get $k0) (i32.const 3)))
                  (i32.add (i32.add (local.get $rc) (local.get $rs)) (i32.shl (local.get $k0) (i32.const 3)))
                  (local.get $len) (local.get $scratch))
                (local.set $p (i32.add (local.get $ri) (i32.shl (local.get $c) (i32.const 3))))
                (local.set $r (i32.const 0))
                (loop $each
                  (f64.store (local.get $p)
                    (f64.sub (f64.load (local.get $p)) (f64.load (i32.add (local.get $scratch) (i32.shl (local.get $r) (i32.const 4))))))
                  (f64.store offset=8 (local.get $p)
                    (f64.sub (f64.load offset=8 (local.get $p)) (f64.load offset=8 (i32.add (local.get $scratch) (i32.shl (local.get $r) (i32.const 4))))))
                  (local.set $p (i32.add (local.get $p) (local.get $rs)))
                  (local.set $r (i32.add (local.get $r) (i32.const 1)))
                  (br_if $each (i32.lt_u (local.get $r) (i32.const 4))))
                (local.set $rc (i32.add (local.get $rc) (i32.shl (local.get $rs) (i32.const 1))))
                (local.set $c (i32.add (local.get $c) (i32.const 2)))
                (br $pairs)))
            (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
            (br $chunks)))
        (local.set $ri (i32.add (local.get $ri) (i32.shl (local.get $rs) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    ;; The last rows, one at a time.
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (local.get $j0))
        (local.set $rc (i32.add (local.get $A) (i32.mul (local.get $j0) (local.get $rs))))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $jEnd)))
            (local.set $p (i32.add (local.get $ri) (i32.shl (local.get $c) (i32.const 3))))
            (f64.store (local.get $p)
              (f64.sub (f64.load (local.get $p)) (call $dot (local.get $ri) (local.get $rc) (local.get $j0))))
            (local.set $rc (i32.add (local.get $rc) (local.get $rs)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols)))
        (local.set $ri (i32.add (local.get $ri) (local.get $rs)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; Factor the panel's columns j0:jEnd once $panelUpdate has taken the columns left of it: left-
  ;; looking by pairs of columns, the dot products over j0:j only. 1, or 0 at an unusable pivot.
  (func $panelFactor (param $n i32) (param $rs i32) (param $A i32) (param $j0 i32) (param $jEnd i32) (param $scratch i32) (result i32)
    (local $j i32) (local $i i32) (local $rj i32) (local $rj1 i32) (local $ri i32) (local $r i32)
    (local $off i32) (local $len i32)
    (local $d f64) (local $ljj f64) (local $l10 f64) (local $l11 f64)
    (local.set $off (i32.shl (local.get $j0) (i32.const 3)))
    (local.set $j (local.get $j0))
    (block $fail
      (block $ok
        (loop $columns
          (br_if $ok (i32.ge_u (local.get $j) (local.get $jEnd)))
          (local.set $len (i32.sub (local.get $j) (local.get $j0)))
          (local.set $rj (i32.add (local.get $A) (i32.mul (local.get $j) (local.get $rs))))
          ;; L_jj
          (local.set $d (f64.sub
            (f64.load (i32.add (local.get $rj) (i32.shl (local.get $j) (i32.const 3))))
            (call $dot (i32.add (local.get $rj) (local.get $off)) (i32.add (local.get $rj) (local.get $off)) (local.get $len))))
          (br_if $fail (i32.eqz (call $pivotOk (local.get $d))))
          (local.set $ljj (f64.sqrt (local.get $d)))
          (f64.store (i32.add (local.get $rj) (i32.shl (local.get $j) (i32.const 3))) (local.get $ljj))
          (br_if $ok (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $n)))
          ;; L_j+1,j and L_j+1,j+1
          (local.set $rj1 (i32.add (local.get $rj) (local.get $rs)))
          (local.set $l10 (f64.div
            (f64.sub
              (f64.load (i32.add (local.get $rj1) (i32.shl (local.get $j) (i32.const 3))))
              (call $dot (i32.add (local.get $rj1) (local.get $off)) (i32.add (local.get $rj) (local.get $off)) (local.get $len)))
            (local.get $ljj)))
          (f64.store (i32.add (local.get $rj1) (i32.shl (local.get $j) (i32.const 3))) (local.get $l10))
          (local.set $d (f64.sub
            (f64.sub
              (f64.load offset=8 (i32.add (local.get $rj1) (i32.shl (local.get $j) (i32.const 3))))
              (call $dot (i32.add (local.get $rj1) (local.get $off)) (i32.add (local.get $rj1) (local.get $off)) (local.get $len)))
            (f64.mul (local.get $l10) (local.get $l10))))
          (br_if $fail (i32.eqz (call $pivotOk (local.get $d))))
          (local.set $l11 (f64.sqrt (local.get $d)))
          (f64.store offset=8 (i32.add (local.get $rj1) (i32.shl (local.get $j) (i32.const 3))) (local.get $l11))
          ;; Rows below, four at a time, then one at a time.
          (local.set $i (i32.add (local.get $j) (i32.const 2)))
          (local.set $ri (i32.add (local.get $rj1) (local.get $rs)))
          (block $quadsDone
            (loop $quads
              (br_if $quadsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
              (call $dot4x2 (i32.add (local.get $ri) (local.get $off)) (local.get $rs)
                (i32.add (local.get $rj) (local.get $off)) (i32.add (local.get $rj1) (local.get $off))
                (local.get $len) (local.get $scratch))
              (local.set $r (i32.const 0))
              (loop $each
                (call $finish (i32.add (local.get $ri) (i32.shl (local.get $j) (i32.const 3)))
                  (f64.load (i32.add (local.get $scratch) (i32.shl (local.get $r) (i32.const 4))))
                  (f64.load offset=8 (i32.add (local.get $scratch) (i32.shl (local.get $r) (i32.const 4))))
                  (local.get $ljj) (local.get $l10) (local.get $l11))
                (local.set $ri (i32.add (local.get $ri) (local.get $rs)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br_if $each (i32.lt_u (local.get $r) (i32.const 4))))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $quads)))
          (block $rowsDone
            (loop $rows
              (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
              (call $finish (i32.add (local.get $ri) (i32.shl (local.get $j) (i32.const 3)))
                (call $dot (i32.add (local.get $ri) (local.get $off)) (i32.add (local.get $rj) (local.get $off)) (local.get $len))
                (call $dot (i32.add (local.get $ri) (local.get $off)) (i32.add (local.get $rj1) (local.get $off)) (local.get $len))
                (local.get $ljj) (local.get $l10) (local.get $l11))
              (local.set $ri (i32.add (local.get $ri) (local.get $rs)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $rows)))
          (local.set $j (i32.add (local.get $j) (i32.const 2)))
          (br $columns)))
      (return (i32.const 1)))
    (i32.const 0))

  ;; Entries (i, j) and (i, j+1) at byte offset p, given row i's dots with rows j and j+1 over 0:j.
  (func $finish (param $p i32) (param $s0 f64) (param $s1 f64) (param $ljj f64) (param $l10 f64) (param $l11 f64)
    (local $lij f64)
    (local.set $lij (f64.div (f64.sub (f64.load (local.get $p)) (local.get $s0)) (local.get $ljj)))
    (f64.store (local.get $p) (local.get $lij))
    (f64.store offset=8 (local.get $p)
      (f64.div
        (f64.sub (f64.sub (f64.load offset=8 (local.get $p)) (local.get $s1)) (f64.mul (local.get $lij) (local.get $l10)))
        (local.get $l11))))

  ;; Solve LLᵀx = b in place at byte offset x, with the factor L from `factor`.
  (func (export "solve") (param $n i32) (param $stride i32) (param $L i32) (param $x i32)
    (local $rs i32) (local $i i32) (local $ri i32) (local $px i32) (local $p i32) (local $q i32) (local $end i32)
    (local $xi f64) (local $xv v128)
    (local.set $rs (i32.shl (local.get $stride) (i32.const 3)))
    ;; Ly = b: row by row, a dot product along row i.
    (local.set $i (i32.const 0))
    (local.set $ri (local.get $L))
    (block $fwdDone
      (loop $fwd
        (br_if $fwdDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $px (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (local.get $px)
          (f64.div
            (f64.sub (f64.load (local.get $px)) (call $dot (local.get $ri) (local.get $x) (local.get $i)))
            (f64.load (i32.add (local.get $ri) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $ri (i32.add (local.get $ri) (local.get $rs)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fwd)))
    ;; Lᵀx = y: from the last row up, x_i is final once divided, then row i of L carries its share
    ;; to x_0:i (x_0:i −= x_i·L_i,0:i), so L is again read along rows.
    (block $bwdDone
      (loop $bwd
        (br_if $bwdDone (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $ri (i32.sub (local.get $ri) (local.get $rs)))
        (local.set $px (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $xi (f64.div (f64.load (local.get $px)) (f64.load (i32.add (local.get $ri) (i32.shl (local.get $i) (i32.const 3))))))
        (f64.store (local.get $px) (local.get $xi))
        (local.set $xv (f64x2.splat (local.get $xi)))
        (local.set $p (local.get $ri))
        (local.set $q (local.get $x))
        (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $i) (i32.const -2)) (i32.const 3))))
        (block $axpyDone
          (loop $axpy
            (br_if $axpyDone (i32.ge_u (local.get $q) (local.get $end)))
            (v128.store (local.get $q)
              (f64x2.sub (v128.load (local.get $q)) (f64x2.mul (local.get $xv) (v128.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $axpy)))
        (if (i32.and (local.get $i) (i32.const 1))
          (then
            (f64.store (local.get $q)
              (f64.sub (f64.load (local.get $q)) (f64.mul (local.get $xi) (f64.load (local.get $p)))))))
        (br $bwd))))

  ;; tr(A⁻¹) = ‖L⁻¹‖²_F, four columns of L⁻¹ at a time by forward substitution on e_c … e_c+3: each
  ;; entry of row i of L loaded serves all four. Column t's vector lives at Y + t·stride entries;
  ;; entries above its unit are zero by the same recurrence (a zero right-hand side), so no
  ;; column needs a special start and columns past n stay zero.
  (func (export "inverseTrace") (param $n i32) (param $stride i32) (param $L i32) (param $Y i32) (result f64)
    (local $rs i32) (local $c i32) (local $i i32) (local $ri i32) (local $p i32) (local $q i32) (local $end i32)
    (local $t i32) (local $py i32) (local $lii f64) (local $y f64) (local $trace f64) (local $a v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $d0 f64) (local $d1 f64) (local $d2 f64) (local $d3 f64) (local $lik f64)
    (local.set $rs (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $c (i32.const 0))
    (block $colsDone
      (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $i (local.get $c))
        (local.set $ri (i32.add (local.get $L) (i32.mul (local.get $c) (local.get $rs))))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
            ;; Four dots of L_i,c:i with the columns' entries c:i.
            (local.set $s0 (v128.const i64x2 0 0))
            (local.set $s1 (v128.const i64x2 0 0))
            (local.set $s2 (v128.const i64x2 0 0))
            (local.set $s3 (v128.const i64x2 0 0))
            (local.set $p (i32.add (local.get $ri) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $q (i32.add (local.get $Y) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $end (i32.add (local.get $p)
              (i32.shl (i32.and (i32.sub (local.get $i) (local.get $c)) (i32.const -2)) (i32.const 3))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $a (v128.load (local.get $p)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $a) (v128.load (local.get $q)))))
                (local.set $py (i32.add (local.get $q) (local.get $rs)))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $a) (v128.load (local.get $py)))))
                (local.set $py (i32.add (local.get $py) (local.get $rs)))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $a) (v128.load (local.get $py)))))
                (local.set $py (i32.add (local.get $py) (local.get $rs)))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $a) (v128.load (local.get $py)))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $pairs)))
            (local.set $d0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
            (local.set $d1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
            (local.set $d2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
            (local.set $d3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
            (if (i32.and (i32.sub (local.get $i) (local.get $c)) (i32.const 1))
              (then
                (local.set $lik (f64.load (local.get $p)))
                (local.set $d0 (f64.add (local.get $d0) (f64.mul (local.get $lik) (f64.load (local.get $q)))))
                (local.set $py (i32.add (local.get $q) (local.get $rs)))
                (local.set $d1 (f64.add (local.get $d1) (f64.mul (local.get $lik) (f64.load (local.get $py)))))
                (local.set $py (i32.add (local.get $py) (local.get $rs)))
                (local.set $d2 (f64.add (local.get $d2) (f64.mul (local.get $lik) (f64.load (local.get $py)))))
                (local.set $py (i32.add (local.get $py) (local.get $rs)))
                (local.set $d3 (f64.add (local.get $d3) (f64.mul (local.get $lik) (f64.load (local.get $py)))))))
            ;; Column t's entry i: (δ_i,c+t − dot_t) / L_ii.
            (local.set $lii (f64.load (i32.add (local.get $ri) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $t (i32.sub (local.get $i) (local.get $c)))
            (local.set $py (i32.add (local.get $Y) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $y (f64.div (f64.sub (f64.convert_i32_u (i32.eq (local.get $t) (i32.const 0))) (local.get $d0)) (local.get $lii)))
            (f64.store (local.get $py) (local.get $y))
            (local.set $trace (f64.add (local.get $trace) (f64.mul (local.get $y) (local.get $y))))
            (local.set $py (i32.add (local.get $py) (local.get $rs)))
            (local.set $y (f64.div (f64.sub (f64.convert_i32_u (i32.eq (local.get $t) (i32.const 1))) (local.get $d1)) (local.get $lii)))
            (f64.store (local.get $py) (local.get $y))
            (local.set $trace (f64.add (local.get $trace) (f64.mul (local.get $y) (local.get $y))))
            (local.set $py (i32.add (local.get $py) (local.get $rs)))
            (local.set $y (f64.div (f64.sub (f64.convert_i32_u (i32.eq (local.get $t) (i32.const 2))) (local.get $d2)) (local.get $lii)))
            (f64.store (local.get $py) (local.get $y))
            (local.set $trace (f64.add (local.get $trace) (f64.mul (local.get $y) (local.get $y))))
            (local.set $py (i32.add (local.get $py) (local.get $rs)))
            (local.set $y (f64.div (f64.sub (f64.convert_i32_u (i32.eq (local.get $t) (i32.const 3))) (local.get $d3)) (local.get $lii)))
            (f64.store (local.get $py) (local.get $y))
            (local.set $trace (f64.add (local.get $trace) (f64.mul (local.get $y) (local.get $y))))
            (local.set $ri (i32.add (local.get $ri) (local.get $rs)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cols)))
    (local.get $trace)))

"""Python side of `npm run bench -- startup | load | bfgs | ttt` (bench/speed/*.ts).

Each mode prints one JSON line; the TypeScript side runs it interleaved with its own measurements.
  bfgs N REPS          ms per BFGS iteration's host work: H@g, H@y and the rank-2 update by dger
  load FILE            seconds for pandas.read_csv and numpy.loadtxt, and the float64 matrix's shape
  ttt FILE TARGETS     PyTorch LBFGS (1 thread, strong Wolfe, history 10) on the MLP problem in FILE
                       (JSON: data, layer layout, start weights): in-run seconds to each loss target
  first CSV TARGET     whole process until the first PyTorch LBFGS iteration on CSV is done
  peak CSV TARGET K    peak RSS of K PyTorch LBFGS iterations on a big CSV (read with pandas)
Threads are pinned to 1 (BLAS and torch): the Curvature side is one host thread too.
"""
import json
import os
import sys
import time

T0 = time.perf_counter()
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def bfgs(n, reps):
    import numpy as np
    from scipy.linalg.blas import dger, dgemv

    rng = np.random.default_rng(1)
    H = np.asfortranarray(np.eye(n))
    times = []
    for k in range(reps + 3):
        g = rng.standard_normal(n)
        s = rng.standard_normal(n) * 1e-2
        y = s * 2.0 + rng.standard_normal(n) * 1e-3
        t = time.perf_counter()
        d = dgemv(-1.0, H, g)
        Hy = dgemv(1.0, H, y)
        rho = 1.0 / (s @ y)
        c = rho * rho * (y @ Hy) + rho
        H = dger(-rho, s, Hy, a=H, overwrite_a=1)
        H = dger(-rho, Hy, s, a=H, overwrite_a=1)
        H = dger(c, s, s, a=H, overwrite_a=1)
        if k >= 3:
            times.append(time.perf_counter() - t)
        assert d.shape == (n,)
    times.sort()
    return {"ms": 1000 * times[len(times) // 2]}


def load(path):
    import numpy as np
    import pandas as pd

    t = time.perf_counter()
    frame = pd.read_csv(path)
    matrix = frame.to_numpy(dtype=np.float64)
    pandas_s = time.perf_counter() - t
    t = time.perf_counter()
    raw = np.loadtxt(path, delimiter=",", skiprows=1)
    loadtxt_s = time.perf_counter() - t
    return {"pandas_s": pandas_s, "loadtxt_s": loadtxt_s, "rows": int(matrix.shape[0]), "cols": int(matrix.shape[1]), "check": float(raw[-1, -1])}


def mlp_problem(path):
    """The JSON problem the TypeScript side wrote (bench/optimizers' 'mlp' description plus w0)."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    with open(path) as f:
        p = json.load(f)
    rows, layers = p["rows"], p["layers"]
    x = torch.tensor(np.asarray(p["x"], dtype=np.float32).reshape(rows, p["inputDim"]))
    y = torch.tensor(np.asarray(p["y"], dtype=np.float32).reshape(rows, layers[-1]["units"]).argmax(axis=1))
    w0 = np.asarray(p["w0"], dtype=np.float32)
    params = []
    for l in layers:
        ko, n = l["kernelOffset"], l["fanIn"] * l["units"]
        params.append(torch.tensor(w0[ko:ko + n].reshape(l["fanIn"], l["units"]), requires_grad=True))
        params.append(torch.tensor(w0[l["biasOffset"]:l["biasOffset"] + l["units"]], requires_grad=True))

    def loss_fn():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = torch.tanh(h)
        return torch.nn.functional.cross_entropy(h, y)

    return params, loss_fn, torch


def ttt(path, targets):
    params, loss_fn, torch = mlp_problem(path)
    opt = torch.optim.LBFGS(params, lr=1, max_iter=1, history_size=10, line_search_fn="strong_wolfe", tolerance_grad=0, tolerance_change=0)
    evaluations = [0]

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        evaluations[0] += 1
        return loss

    loss_fn().backward()  # warm-up, as on the TypeScript side
    for p in params:
        p.grad = None
    reached = {}
    t = time.perf_counter()
    for _ in range(3000):
        loss = float(opt.step(closure))
        now = time.perf_counter() - t
        for target in targets:
            if str(target) not in reached and loss <= target:
                reached[str(target)] = {"s": now, "evals": evaluations[0]}
        if len(reached) == len(targets):
            break
    return {"reached": reached}


def first(csv_path, target):
    """Whole process until one PyTorch LBFGS iteration on the CSV is done: imports, read_csv, model."""
    import numpy as np
    import pandas as pd
    import torch

    torch.set_num_threads(1)
    frame = pd.read_csv(csv_path)
    y = torch.tensor(frame.pop(target).to_numpy(dtype=np.int64))
    xs = frame.to_numpy(dtype=np.float32)
    x = torch.tensor((xs - xs.mean(axis=0)) / (xs.std(axis=0) + 1e-12))
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 16), torch.nn.Tanh(), torch.nn.Linear(16, int(y.max()) + 1))
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=1, history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        return loss

    opt.step(closure)
    return {"s": time.perf_counter() - T0}


def peak(csv_path, target, iterations):
    """Peak RSS of a PyTorch LBFGS run on a big CSV (float64 data, as Curvature's host copy)."""
    import resource
    import numpy as np
    import pandas as pd
    import torch

    torch.set_num_threads(1)
    frame = pd.read_csv(csv_path)
    y = torch.tensor(frame.pop(target).to_numpy(dtype=np.float32)).reshape(-1, 1)
    x = torch.tensor(frame.to_numpy(dtype=np.float32))
    del frame
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=iterations, history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    opt.step(closure)
    return {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "s": time.perf_counter() - T0}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bfgs":
        out = bfgs(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == "load":
        out = load(sys.argv[2])
    elif mode == "ttt":
        out = ttt(sys.argv[2], [float(v) for v in sys.argv[3].split(",")])
    elif mode == "first":
        out = first(sys.argv[2], sys.argv[3])
    elif mode == "peak":
        out = peak(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))

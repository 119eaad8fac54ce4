"""scipy's BFGS and L-BFGS-B on the suite's problems, for the side-by-side table.

Reads the problems the TypeScript side exported (closed forms by name; networks as layer layout,
training arrays and start weights) and rebuilds each objective in numpy float64 with an exact
analytic gradient. Counts every distinct point evaluated (f and the gradient come together, as in
Curvature), notes the first evaluation reaching each target, stops at the same budget.
Usage: /usr/bin/python3 scipy_side.py problem.json [BFGS|L-BFGS-B ...]  ->  JSON rows on stdout.
The TS side spawns it once per problem and method, each with its own timeout, so one slow run
(stock BFGS forms n×n matrix products every iteration) loses only its own row.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize


def quadratic(n, condition):
    i = np.arange(n)
    c = condition ** (i / (n - 1))
    t = i / n - 0.5

    def f(x):
        r = x - t
        return 0.5 * np.dot(c * r, r), c * r

    return f


def rosenbrock(n):
    def f(x):
        a = x[1::2] - x[0::2] ** 2
        b = 1 - x[0::2]
        g = np.empty_like(x)
        g[0::2] = -400 * x[0::2] * a - 2 * b
        g[1::2] = 200 * a
        return float(np.sum(100 * a * a + b * b)), g

    return f


ACT = {
    'linear': (lambda z: z, lambda z, h: np.ones_like(z)),
    'tanh': (np.tanh, lambda z, h: 1 - h * h),
    'relu': (lambda z: np.maximum(z, 0), lambda z, h: (z > 0).astype(z.dtype)),
    'sigmoid': (lambda z: 1 / (1 + np.exp(-z)), lambda z, h: h * (1 - h)),
}


def mlp(p):
    rows = p['rows']
    X = np.asarray(p['x'], dtype=np.float64).reshape(rows, p['inputDim'])
    layers = p['layers']
    Y = np.asarray(p['y'], dtype=np.float64).reshape(rows, layers[-1]['units'])
    loss, l2 = p['loss'], p['l2']

    def unpack(theta, l):
        W = theta[l['kernelOffset']:l['kernelOffset'] + l['fanIn'] * l['units']].reshape(l['fanIn'], l['units'])
        b = theta[l['biasOffset']:l['biasOffset'] + l['units']] if l['biasOffset'] >= 0 else None
        return W, b

    def f(theta):
        hs, zs, Ws = [X], [], []
        for i, l in enumerate(layers):
            W, b = unpack(theta, l)
            z = hs[-1] @ W + (b if b is not None else 0)
            zs.append(z)
            Ws.append(W)
            if i < len(layers) - 1:
                hs.append(ACT[l['activation']][0](z))
        z, out = zs[-1], layers[-1]['activation']
        if loss == 'mse':
            a = ACT[out][0](z)
            e = a - Y
            val = np.mean(e * e)
            dz = 2 * e / e.size * ACT[out][1](z, a)
        elif loss == 'softmax-crossentropy' and out == 'softmax':
            zmax = z.max(axis=1, keepdims=True)
            lse = np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)) + zmax
            val = -np.mean(np.sum(Y * (z - lse), axis=1))
            dz = (np.exp(z - lse) * Y.sum(axis=1, keepdims=True) - Y) / rows
        elif loss == 'binary-crossentropy' and out == 'sigmoid':
            val = np.mean(np.maximum(z, 0) - z * Y + np.log1p(np.exp(-np.abs(z))))
            dz = (1 / (1 + np.exp(-z)) - Y) / z.size
        else:
            raise ValueError(f'loss {loss} with output {out} is not rebuilt here')
        g = np.zeros_like(theta)
        for i in range(len(layers) - 1, -1, -1):
            l = layers[i]
            ko, n = l['kernelOffset'], l['fanIn'] * l['units']
            g[ko:ko + n] = (hs[i].T @ dz).ravel()
            if l['biasOffset'] >= 0:
                g[l['biasOffset']:l['biasOffset'] + l['units']] = dz.sum(axis=0)
            if i > 0:
                dh = dz @ Ws[i].T
                dz = dh * ACT[layers[i - 1]['activation']][1](zs[i - 1], hs[i])
        if l2 > 0:
            for l in layers:
                ko, n = l['kernelOffset'], l['fanIn'] * l['units']
                val += l2 * np.dot(theta[ko:ko + n], theta[ko:ko + n])
                g[ko:ko + n] += 2 * l2 * theta[ko:ko + n]
        return float(val), g

    return f


class Budget(Exception):
    pass


class Recorder:
    def __init__(self, fn, targets, budget):
        self.fn, self.targets, self.budget = fn, targets, budget
        self.evaluations, self.best = 0, np.inf
        self.hits = [None] * len(targets)

    def __call__(self, x):
        if self.evaluations >= self.budget:
            raise Budget()
        val, g = self.fn(x)
        self.evaluations += 1
        self.best = min(self.best, val)
        for k, t in enumerate(self.targets):
            if self.hits[k] is None and val <= t:
                self.hits[k] = self.evaluations
        return val, g


def run(problem, method):
    p = problem['python']
    fn = {'quadratic': lambda: quadratic(p['n'], p['condition']), 'rosenbrock': lambda: rosenbrock(p['n']), 'mlp': lambda: mlp(p)}[p['kind']]()
    rec = Recorder(fn, problem['targets'], problem['budget'])
    x0 = np.asarray(problem['x0'], dtype=np.float64)
    options = {'gtol': 0, 'maxiter': 10 ** 6}
    if method == 'L-BFGS-B':
        options = {'gtol': 0, 'ftol': 0, 'maxiter': 10 ** 6, 'maxfun': 10 ** 9}
    t0 = time.perf_counter()
    try:
        res = minimize(rec, x0, jac=True, method=method, options=options)
        stop = str(res.message if isinstance(res.message, str) else res.message.decode())
    except Budget:
        stop = 'budget'
    ms = 1000 * (time.perf_counter() - t0)
    return {'problem': problem['id'], 'variant': 'scipy-' + method.lower(), 'hits': rec.hits, 'finalLoss': rec.best,
            'evaluations': rec.evaluations, 'ms': ms, 'stop': stop}


def main():
    with open(sys.argv[1]) as fh:
        problems = json.load(fh)
    if isinstance(problems, dict):
        problems = [problems]
    methods = sys.argv[2:] or ['BFGS', 'L-BFGS-B']
    rows = [run(pr, m) for pr in problems for m in methods]
    json.dump({'scipy': scipy.__version__, 'numpy': np.__version__, 'rows': rows}, sys.stdout)


if __name__ == '__main__':
    main()

"""scipy's least_squares(method='lm') (MINPACK lmder) on the suite's mse networks, for the
Levenberg–Marquardt rows: the same layers, rows and start weights as the TypeScript side, residuals
e = out − y and their exact Jacobian in numpy float64. Records, per target (an mse level), the
Jacobian evaluations and the seconds until a residual evaluation first reached it.
Usage: /usr/bin/python3 scipy_lm.py problem.json  ->  one JSON row on stdout.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import least_squares

from scipy_side import ACT


def network(p):
    rows = p['rows']
    X = np.asarray(p['x'], dtype=np.float64).reshape(rows, p['inputDim'])
    layers = p['layers']
    K = layers[-1]['units']
    Y = np.asarray(p['y'], dtype=np.float64).reshape(rows, K)

    def forward(theta):
        hs, zs, Ws = [X], [], []
        for l in layers:
            W = theta[l['kernelOffset']:l['kernelOffset'] + l['fanIn'] * l['units']].reshape(l['fanIn'], l['units'])
            b = theta[l['biasOffset']:l['biasOffset'] + l['units']] if l['biasOffset'] >= 0 else 0
            z = hs[-1] @ W + b
            zs.append(z)
            Ws.append(W)
            hs.append(ACT[l['activation']][0](z))
        return hs, zs, Ws

    def residuals(theta):
        hs, _, _ = forward(theta)
        return (hs[-1] - Y).ravel()

    def jacobian(theta):
        hs, zs, Ws = forward(theta)
        J = np.zeros((rows, K, theta.size))
        for k in range(K):
            d = np.zeros((rows, K))
            d[:, k] = ACT[layers[-1]['activation']][1](zs[-1], hs[-1])[:, k]
            for i in range(len(layers) - 1, -1, -1):
                l = layers[i]
                ko, n = l['kernelOffset'], l['fanIn'] * l['units']
                J[:, k, ko:ko + n] = (hs[i][:, :, None] * d[:, None, :]).reshape(rows, n)
                if l['biasOffset'] >= 0:
                    J[:, k, l['biasOffset']:l['biasOffset'] + l['units']] = d
                if i > 0:
                    d = (d @ Ws[i].T) * ACT[layers[i - 1]['activation']][1](zs[i - 1], hs[i])
        return J.reshape(rows * K, theta.size)

    return residuals, jacobian, rows * K


def main():
    with open(sys.argv[1]) as fh:
        problem = json.load(fh)
    residuals, jacobian, m = network(problem['python'])
    targets = problem['targets']
    state = {'jac': 0, 'fun': 0, 'best': np.inf, 'hits': [None] * len(targets), 'seconds': [None] * len(targets)}
    t0 = time.perf_counter()

    def fun(theta):
        e = residuals(theta)
        state['fun'] += 1
        mse = float(np.dot(e, e)) / m
        state['best'] = min(state['best'], mse)
        for k, t in enumerate(targets):
            if state['hits'][k] is None and mse <= t:
                state['hits'][k] = state['jac']
                state['seconds'][k] = time.perf_counter() - t0
        return e

    def jac(theta):
        state['jac'] += 1
        return jacobian(theta)

    x0 = np.asarray(problem['x0'], dtype=np.float64)
    try:
        res = least_squares(fun, x0, jac=jac, method='lm', max_nfev=problem['budget'], xtol=1e-15, ftol=1e-15, gtol=1e-15)
        stop = res.message
    except ValueError as err:  # MINPACK needs at least as many residuals as parameters
        stop = f'refused: {err}'
    json.dump({'problem': problem['id'], 'variant': 'scipy-lm', 'jacobianHits': state['hits'], 'secondsToTarget': state['seconds'],
               'finalLoss': state['best'], 'jacobians': state['jac'], 'evaluations': state['fun'],
               'seconds': time.perf_counter() - t0, 'stop': stop}, sys.stdout)


if __name__ == '__main__':
    main()

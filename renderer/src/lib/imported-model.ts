/** Whether the layer editor still holds the imported model's layers (names, units, activation, bias). */
import type { LayerSpec } from '../../../app/ui';

export function sameLayers(a: readonly LayerSpec[], b: readonly LayerSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every((l, i) => l.units === b[i].units && l.activation === b[i].activation && l.useBias === b[i].useBias && (l.name ?? '') === (b[i].name ?? ''))
  );
}

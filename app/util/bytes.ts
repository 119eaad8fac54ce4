/** Byte counts for messages in binary units, named as such (KiB, MiB, GiB): the same words the GUI uses. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // At most three significant digits, no trailing zeros: 7.45 GiB, 11.2 GiB, 64 KiB, 512 MiB.
  return unit === 0 ? `${value} bytes` : `${+value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { MenuCommand } from '../../../app/api/contract';
import { menuTemplate } from '../../../main/menu';

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  for (const item of items) {
    if (item.label === label) return item;
    if (Array.isArray(item.submenu)) {
      try {
        return find(item.submenu, label);
      } catch {
        /* keep looking */
      }
    }
  }
  throw new Error(`no menu item ${label}`);
}

const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

describe('application menu', () => {
  const sent: MenuCommand[] = [];
  const showAbout = vi.fn();
  const examples = [{ name: 'seed', title: 'Seed perceptron', description: 'two rows' }];
  const template = menuTemplate({ send: (c) => sent.push(c), showAbout }, examples, 'linux');

  it('has File, View and Help menus with the document commands', () => {
    expect(template.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&View', 'windowMenu', '&Help']);
    for (const [label, command] of [
      ['Open Data File…', 'open-dataset'],
      ['Open Experiment…', 'open-experiment'],
      ['Save Experiment', 'save-experiment'],
      ['Save Experiment As…', 'save-experiment-as'],
      ['Export Weights…', 'export-weights'],
    ] as const) {
      click(find(template, label));
      expect(sent.at(-1)).toEqual({ command });
    }
  });

  it('lists the examples by title and opens them by name', () => {
    click(find(template, 'Seed perceptron'));
    expect(sent.at(-1)).toEqual({ command: 'open-example', name: 'seed' });
    const empty = menuTemplate({ send: () => {}, showAbout }, [], 'linux');
    expect(find(empty, 'No examples installed').enabled).toBe(false);
  });

  it('Help ▸ About shows the about box (with the backend report)', () => {
    click(find(template, 'About Curvature'));
    expect(showAbout).toHaveBeenCalledTimes(1);
  });

  it('puts About in the app menu on macOS', () => {
    const mac = menuTemplate({ send: () => {}, showAbout }, examples, 'darwin');
    expect(mac[0].label).toBe('Curvature');
    expect((mac[0].submenu as MenuItemConstructorOptions[])[0].label).toBe('About Curvature');
  });

  it('has no Reload or DevTools when packaged; only development builds get them', () => {
    const roles = (t: MenuItemConstructorOptions[]): string[] =>
      t.flatMap((m) => [String(m.role ?? ''), ...(Array.isArray(m.submenu) ? roles(m.submenu) : [])]);
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const packaged = roles(menuTemplate({ send: () => {}, showAbout }, examples, platform));
      expect(packaged).not.toContain('reload');
      expect(packaged).not.toContain('forceReload');
      expect(packaged).not.toContain('toggleDevTools');
      const dev = roles(menuTemplate({ send: () => {}, showAbout }, examples, platform, { development: true }));
      expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    }
  });
});

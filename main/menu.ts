/**
 * The application menu as data. File items send a MenuCommand to the renderer, which answers by
 * calling the API (so menu and buttons share one path through dialogs and validation).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ExampleInfo, MenuCommand } from '../app/api/contract';

export interface MenuActions {
  send(command: MenuCommand): void;
  showAbout(): void;
}

/**
 * `development`: adds Reload and DevTools to the View menu. A packaged app never has them (a
 * reload would drop a running race; DevTools would open the page to whoever sits at it).
 */
export function menuTemplate(
  actions: MenuActions,
  examples: ExampleInfo[],
  platform: NodeJS.Platform = process.platform,
  options: { development?: boolean } = {},
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const send = (command: MenuCommand) => () => actions.send(command);
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Data File…', accelerator: 'CmdOrCtrl+O', click: send({ command: 'open-dataset' }) },
      { label: 'Open Experiment…', accelerator: 'CmdOrCtrl+Shift+O', click: send({ command: 'open-experiment' }) },
      { label: 'Start from Model…', click: send({ command: 'start-from-model' }) },
      {
        label: 'Open Example',
        submenu: examples.length
          ? examples.map((e) => ({ label: e.title, toolTip: e.description, click: send({ command: 'open-example', name: e.name }) }))
          : [{ label: 'No examples installed', enabled: false }],
      },
      { type: 'separator' },
      { label: 'Save Experiment', accelerator: 'CmdOrCtrl+S', click: send({ command: 'save-experiment' }) },
      { label: 'Save Experiment As…', accelerator: 'CmdOrCtrl+Shift+S', click: send({ command: 'save-experiment-as' }) },
      { label: 'Export Weights…', accelerator: 'CmdOrCtrl+E', click: send({ command: 'export-weights' }) },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const about: MenuItemConstructorOptions = { label: 'About Curvature', click: () => actions.showAbout() };
  return [
    ...(isMac ? [{ label: 'Curvature', submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'quit' }] } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(options.development ? ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
      ],
    },
    { role: 'windowMenu' },
    { label: '&Help', role: 'help', submenu: [about] },
  ];
}

export interface TrayActions {
  emergencyStop(): void;
  resume(): void;
  show(): void;
}

export interface TrayItem {
  label?: string;
  type?: 'separator';
  enabled?: boolean;
  click?: () => void;
}

/** The tray menu for the current control state; `null` means not known yet (both actions offered). */
export function trayItems(emergencyStop: boolean | null, actions: TrayActions): TrayItem[] {
  return [
    { label: 'Show opsdeck', click: actions.show },
    { type: 'separator' },
    { label: 'Emergency stop', enabled: emergencyStop !== true, click: actions.emergencyStop },
    { label: 'Resume', enabled: emergencyStop !== false, click: actions.resume },
  ];
}

export function trayTooltip(emergencyStop: boolean | null): string {
  return emergencyStop ? 'opsdeck: EMERGENCY STOP engaged' : 'opsdeck';
}

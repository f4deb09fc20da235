/** The twelve shipped apps in the seed's menu order (1 = flask-cnn-app-py39 ... 12 = flask-xgboost-app). */
export const SHIPPED_APP_ORDER: readonly string[] = [
  "flask-cnn-app-py39",
  "flask-cnn-app",
  "flask-lstm-app-py39",
  "flask-lstm-app",
  "flask-transformers-app-py39",
  "flask-transformers-app",
  "flask-stacking-app",
  "flask-stacking-dl-app",
  "flask-lgbm-app",
  "flask-lgbm-app_py39",
  "flask-logreg-app",
  "flask-xgboost-app",
];

/** An app name and the menu position it asks for (its manifest's, else its place in the seed order). */
export interface MenuEntry {
  /** App name. */
  name: string;
  /** Requested 1-based position, undefined for an app that asks for none. */
  requested?: number;
}

/** The requested position: the manifest's, else the seed's for a shipped app, else none. */
export function requestedPosition(name: string, manifestPosition: number | undefined): number | undefined {
  if (manifestPosition !== undefined) return manifestPosition;
  const index = SHIPPED_APP_ORDER.indexOf(name);
  return index === -1 ? undefined : index + 1;
}

/**
 * Menu order: apps with a requested position by that position, then the others by name;
 * positions are then renumbered 1..N so the menu never has gaps or duplicates.
 */
export function menuOrder(entries: MenuEntry[]): string[] {
  return [...entries]
    .sort((a, b) => {
      const pa = a.requested ?? Number.POSITIVE_INFINITY;
      const pb = b.requested ?? Number.POSITIVE_INFINITY;
      return pa !== pb ? pa - pb : a.name.localeCompare(b.name);
    })
    .map((entry) => entry.name);
}

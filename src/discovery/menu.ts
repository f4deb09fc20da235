/** An app name and the menu position its manifest asks for. */
export interface MenuEntry {
  /** App name. */
  name: string;
  /** The 1-based position its manifest asks for (`menu_position`), undefined for none. */
  requested?: number;
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

/** A change between two observations, before it becomes a `quorum:` event. */
export interface TopologyChange {
  type: string;
  message: string;
  detail: Record<string, string | number | boolean | null>;
}

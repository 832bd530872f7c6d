/**
 * Segment colours: the Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies), extended with a few dark tones for k > 8. A segment keeps its colour in every
 * chart and card because the colour is chosen by segment id, never by position in a list.
 */
const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
  "#7F3C8D",
  "#11A579",
  "#3969AC",
  "#E73F74",
] as const;

export function segmentColor(id: number): string {
  const index = ((id % PALETTE.length) + PALETTE.length) % PALETTE.length;
  return PALETTE[index] ?? "#555555";
}

/**
 * What the layout test measures inside the page. The scripts are JavaScript text run by
 * page.evaluate (the tests type-check without the DOM library), each returning plain data.
 */
import type { Page } from 'playwright-core';

/** The graph's zoom as drawn: the scale of React Flow's viewport transform. */
export function graphZoom(page: Page): Promise<number> {
  return page.evaluate<number>(
    `new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform).a`,
  );
}

/** Every element of the graph holding text of its own (boxes and edge labels), and its font size. */
export function graphTexts(page: Page): Promise<{ text: string; px: number }[]> {
  return page.evaluate<{ text: string; px: number }[]>(`
    [...document.querySelectorAll('.tnode *, .react-flow__edge-text')]
      .filter((el) => [...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim()))
      .map((el) => ({ text: el.textContent, px: parseFloat(getComputedStyle(el).fontSize) }))`);
}

/**
 * Edges with no arrowhead, and edges whose drawn path runs through a box other than its two ends
 * (sampled every 4 units along the path, in screen coordinates).
 */
export function edgeFaults(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const boxes = [...document.querySelectorAll('.react-flow__node')].map((n) => ({
      id: n.getAttribute('data-id'),
      rect: n.getBoundingClientRect(),
    }));
    const found = [];
    for (const edge of document.querySelectorAll('.react-flow__edge')) {
      const id = edge.getAttribute('data-id') || '';
      const path = edge.querySelector('path.react-flow__edge-path');
      if (!path) continue;
      if (!path.getAttribute('marker-end')) found.push('no arrow: ' + id);
      // graph-sentinel.ts names an edge by its ends: a->b, a=>b, proxy~>b
      const [source, target] = id.split(/->|=>|~>/);
      const ctm = path.getScreenCTM();
      for (let l = 0; l <= path.getTotalLength(); l += 4) {
        const at = path.getPointAtLength(l);
        const p = new DOMPoint(at.x, at.y).matrixTransform(ctm);
        for (const b of boxes) {
          if (b.id === source || b.id === target) continue;
          const r = b.rect;
          if (p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1)
            found.push(id + ' through ' + b.id);
        }
      }
    }
    return [...new Set(found)];
  })()`);
}

/** The page's scroll width and the window's width. */
export function widths(page: Page): Promise<[number, number]> {
  return page.evaluate<[number, number]>(
    `[document.scrollingElement.scrollWidth, window.innerWidth]`,
  );
}

/** The theme the page is drawn in. */
export function pageTheme(page: Page): Promise<string> {
  return page.evaluate<string>(`document.documentElement.dataset.theme`);
}

/** How many pixels of the first chart's canvas are in the light and the dark grid colour (chart-theme.ts). */
export function gridPixels(page: Page): Promise<{ light: number; dark: number }> {
  return page.evaluate<{ light: number; dark: number }>(`(() => {
    const c = document.querySelector('.chart canvas');
    const counts = { light: 0, dark: 0 };
    if (!c) return counts;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r === 229 && g === 231 && b === 235) counts.light++;
      if (r === 43 && g === 50 && b === 60) counts.dark++;
    }
    return counts;
  })()`);
}

/** The computed background image of the first wide-table wrapper. */
export function scrollCue(page: Page): Promise<string> {
  return page.evaluate<string>(
    `getComputedStyle(document.querySelector('.scroll-x')).backgroundImage`,
  );
}

/** How far the page is scrolled down. */
export function scrollY(page: Page): Promise<number> {
  return page.evaluate<number>('window.scrollY');
}

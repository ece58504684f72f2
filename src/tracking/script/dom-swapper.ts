import { swapNumbersInText } from './swap-numbers';
import type { NumberShape } from './types';

// Never rewritten: code, form fields, and whatever the site marks with data-ct-noswap.
const SKIP = 'script,style,noscript,textarea,template,[data-ct-noswap]';
const WATCH: MutationObserverInit = { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['href'] };

type Swappable = Text | HTMLAnchorElement;

/**
 * Writes the tracking number over the site's numbers in text nodes and tel: links, now and in content
 * added later (a MutationObserver), and can put the page's own text back. Each changed node remembers
 * what it said before, so a new number (after a lost lease) is written from the page's text, and a
 * change the page makes itself is taken as the new original.
 */
export class NumberSwapper {
  private readonly originals = new Map<Swappable, string>();
  private readonly written = new WeakMap<Swappable, string>();
  private observer: MutationObserver | null = null;
  private shown: NumberShape | null = null;

  constructor(private readonly targets: readonly NumberShape[]) {}

  show(number: NumberShape): void {
    this.shown = number;
    this.originals.forEach((_, node) => (node.isConnected ? this.swap(node) : this.originals.delete(node)));
    this.scan(document.documentElement);
    this.watch(document.documentElement);
  }

  /** Swaps inside `root` (an element the page asks for, perhaps in a shadow root) and keeps watching it. */
  include(root: Node): void {
    if (!this.shown) return;
    this.scan(root);
    if (!document.documentElement.contains(root)) this.watch(root);
  }

  /** Puts the page's own numbers back and stops watching. */
  restore(): void {
    this.shown = null;
    this.observer?.disconnect();
    this.observer = null;
    this.originals.forEach((original, node) => write(node, original));
    this.originals.clear();
  }

  private watch(root: Node): void {
    this.observer ??= new MutationObserver((records) => {
      try {
        for (const record of records) {
          if (record.type === 'childList') record.addedNodes.forEach((node) => this.scan(node));
          else this.scan(record.target);
        }
      } catch {
        // A page we cannot read must not break.
      }
    });
    this.observer.observe(root, WATCH);
  }

  private scan(root: Node): void {
    if (!this.shown) return;
    const element = root.nodeType === Node.TEXT_NODE ? root.parentElement : root.nodeType === Node.ELEMENT_NODE ? (root as Element) : null;
    if (element?.closest(SKIP)) return;
    if (root.nodeType === Node.TEXT_NODE) return this.swap(root as Text);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.nodeType === Node.ELEMENT_NODE && (node as Element).matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) this.swap(node as Text);
      else if ((node as Element).tagName === 'A' && /^tel:/i.test((node as Element).getAttribute('href') ?? '')) this.swap(node as HTMLAnchorElement);
    }
  }

  private swap(node: Swappable): void {
    if (!this.shown) return;
    const current = read(node);
    // What we wrote last is ours; anything else is the page's own (new) text.
    const original = this.written.get(node) === current ? (this.originals.get(node) ?? current) : current;
    const swapped = swapNumbersInText(original, this.targets, this.shown);
    if (swapped === null) {
      this.originals.delete(node);
      return;
    }
    this.originals.set(node, original);
    this.written.set(node, swapped);
    write(node, swapped);
  }
}

function read(node: Swappable): string {
  return node.nodeType === Node.TEXT_NODE ? (node as Text).data : ((node as Element).getAttribute('href') ?? '');
}

function write(node: Swappable, value: string): void {
  if (read(node) === value) return;
  if (node.nodeType === Node.TEXT_NODE) (node as Text).data = value;
  else (node as Element).setAttribute('href', value);
}

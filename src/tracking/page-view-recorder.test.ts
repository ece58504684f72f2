import { PageViewRecorder } from './page-view-recorder';
import type { PageView, PageViewStore } from './page-view-store';

class FakePageViewStore implements PageViewStore {
  readonly stored: PageView[] = [];
  failNext = 0;

  async insertMany(views: readonly PageView[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('database unavailable');
    }
    for (const v of views) if (!this.stored.some((s) => s.id === v.id)) this.stored.push(v);
  }
}

const view = (url: string, at = 1) => ({ siteId: 'site-1', visitId: 'vs_1', kind: 'view' as const, url, title: null, at });

describe('PageViewRecorder', () => {
  it('when views are recorded, then nothing is written until a flush, and then each once', async () => {
    const store = new FakePageViewStore();
    const recorder = new PageViewRecorder(store, 1000);
    recorder.record(view('https://shop.example/a'));
    recorder.record(view('https://shop.example/b'));

    expect(store.stored).toEqual([]);
    await recorder.flush();
    await recorder.flush();

    expect(store.stored.map((v) => v.url)).toEqual(['https://shop.example/a', 'https://shop.example/b']);
    expect(new Set(store.stored.map((v) => v.id)).size).toBe(2);
    expect(recorder.pending).toBe(0);
  });

  it('when a flush fails, then the views stay buffered and the next flush writes them', async () => {
    const store = new FakePageViewStore();
    const recorder = new PageViewRecorder(store, 1000);
    recorder.record(view('https://shop.example/a'));
    store.failNext = 1;

    await recorder.flush();
    expect(store.stored).toEqual([]);
    expect(recorder.pending).toBe(1);
    await recorder.flush();

    expect(store.stored.map((v) => v.url)).toEqual(['https://shop.example/a']);
  });

  it('when the service stops cleanly, then stop() writes everything still buffered, including views recorded during a flush', async () => {
    const store = new FakePageViewStore();
    const recorder = new PageViewRecorder(store, 60_000);
    recorder.start();
    recorder.record(view('https://shop.example/a'));
    const flushing = recorder.flush();
    recorder.record(view('https://shop.example/b'));

    await flushing;
    await recorder.stop();

    expect(store.stored.map((v) => v.url).sort()).toEqual(['https://shop.example/a', 'https://shop.example/b']);
  });
});

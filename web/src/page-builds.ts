import { ApiError, type Api, type BuildResponse } from './api';

/**
 * The builds behind the releases a page shows, each read once (`GET /apps/{app}/builds/{build}`) and kept while
 * the page shows a release of it: the view shows only a build's image and source blob, which never change after
 * the build is registered (PATCH changes only its status), so a poll that shows no new build reads none.
 */
export class PageBuilds {
  /** Reads, not builds, so two polls racing (a reload during a poll) share one read. */
  private readonly reads = new Map<string, Promise<BuildResponse | undefined>>();

  constructor(
    private readonly api: Api,
    private readonly app: string,
  ) {}

  /** The builds of `ids`, by id; a build not of this app (a promoted release's, of the app it came from) is absent. */
  async of(ids: readonly string[]): Promise<ReadonlyMap<string, BuildResponse>> {
    const shown = new Set(ids);
    for (const id of this.reads.keys()) if (!shown.has(id)) this.reads.delete(id);
    const found = await Promise.all([...shown].map(async (id) => [id, await this.read(id)] as const));
    return new Map(found.flatMap(([id, build]) => (build ? [[id, build] as const] : [])));
  }

  private read(id: string): Promise<BuildResponse | undefined> {
    const known = this.reads.get(id);
    if (known) return known;
    const read = this.api.build(this.app, id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      // Forgotten, so the next poll tries again.
      this.reads.delete(id);
      throw error;
    });
    this.reads.set(id, read);
    return read;
  }
}

import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading, Problem } from './components';

/**
 * A view whose module loads on first use (a chunk of its own), shown as loading until then and as a problem
 * if it cannot be fetched; loaded once, however often the view is opened.
 */
export const lazyView = <P extends object>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> => {
  let loading: Promise<FunctionComponent<P>> | undefined;
  return (props: P) => {
    const [view, setView] = useState<{ component: FunctionComponent<P> } | undefined>(undefined);
    const [failed, setFailed] = useState<Error | undefined>(undefined);
    useEffect(() => {
      (loading ??= load()).then(
        (component) => setView({ component }),
        (error: unknown) => {
          loading = undefined;
          setFailed(new Error(`This view could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
        },
      );
    }, []);
    if (view) return <view.component {...props} />;
    return failed ? <Problem error={failed} /> : <Loading />;
  };
};

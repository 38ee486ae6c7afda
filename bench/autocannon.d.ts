/** The slice of autocannon's API the bench uses; the package ships no types of its own. */
declare module 'autocannon' {
  type Stat = { average: number; mean: number; stddev: number; min: number; max: number; total: number; p50: number; p90: number; p99: number };

  export type AutocannonRequest = {
    method?: AutocannonOptions['method'];
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  };

  export type AutocannonOptions = {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number;
    /** Each connection sends these in turn. */
    requests?: AutocannonRequest[];
  };

  export type AutocannonResult = {
    latency: Stat;
    requests: Stat;
    throughput: Stat;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    '2xx': number;
  };

  export default function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
}

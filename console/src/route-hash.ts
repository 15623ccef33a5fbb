/** The console's views live in the URL fragment (`#/doctor?method=GET&path=/x`): links, back, reload work. */
export type ViewName = 'routes' | 'traffic' | 'doctor' | 'config';
export const VIEWS: readonly { readonly name: ViewName; readonly title: string }[] = [
  { name: 'routes', title: 'Routes' },
  { name: 'traffic', title: 'Live traffic' },
  { name: 'doctor', title: '401 doctor' },
  { name: 'config', title: 'Config' },
];

export interface Location {
  readonly view: ViewName;
  readonly params: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const [name = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = VIEWS.find((v) => v.name === name)?.name ?? 'routes';
  return { view, params: new URLSearchParams(query) };
}

export function viewHref(view: ViewName, params?: Record<string, string>): string {
  const query = params ? new URLSearchParams(params).toString() : '';
  return `#/${view}${query ? `?${query}` : ''}`;
}

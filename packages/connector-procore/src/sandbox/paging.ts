import { json, type Answer } from './http-io.js';

const DEFAULT_PER_PAGE = 100;
/** Procore's largest page. */
const MAX_PER_PAGE = 100;

/** A page of `rows` (`page` 1-based, `per_page` up to 100) with `Total`, `Per-Page` and a `Link` header (`next` while more remain). */
export function paged<T>(url: URL, rows: T[], wire: (row: T) => unknown = (row) => row): Answer {
  const asked = Number(url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE);
  const perPage = Math.min(MAX_PER_PAGE, Number.isInteger(asked) && asked > 0 ? asked : DEFAULT_PER_PAGE);
  const askedPage = Number(url.searchParams.get('page') ?? 1);
  const page = Number.isInteger(askedPage) && askedPage > 0 ? askedPage : 1;
  const last = Math.max(1, Math.ceil(rows.length / perPage));
  const link = (n: number, rel: string): string => {
    const target = new URL(url.toString());
    target.searchParams.set('page', String(n));
    target.searchParams.set('per_page', String(perPage));
    return `<${target.pathname}${target.search}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  const headers: Record<string, string> = { total: String(rows.length), 'per-page': String(perPage) };
  if (links.length > 0) headers.link = links.join(', ');
  return json(200, rows.slice((page - 1) * perPage, page * perPage).map(wire), headers);
}

/**
 * Who sent a request, by User-Agent. Link unfurlers, crawlers and monitors
 * are never a person clicking: recorded as bots, left out of counts. HTTP
 * libraries (and requests with no User-Agent, which every browser sends) are
 * scripts: not a visit when they follow a short link, but exactly who calls
 * an API that is documented to count a click (LinkShrink's expand).
 */
const pattern = (words: string[]) => new RegExp(words.join('|'), 'i');

const CRAWLERS = pattern([
  'bot\\b', 'bot/', 'bot-', 'crawler', 'spider', 'slurp', 'facebookexternalhit', 'facebookcatalog', 'meta-externalagent',
  'slack', 'discord', 'telegram', 'whatsapp', 'skypeuripreview', 'linkedinbot', 'twitterbot', 'embedly', 'quora link preview',
  'pinterest', 'redditbot', 'vkshare', 'w3c_validator', 'preview', 'headlesschrome', 'lighthouse', 'pingdom', 'uptimerobot',
  'scrapy', 'mastodon', 'pleroma', 'bluesky', 'cardyb', 'iframely', 'googleother', 'google-inspectiontool',
  'bingpreview', 'applebot', 'yandex', 'baiduspider', 'duckduckbot', 'petalbot', 'semrush', 'ahrefs', 'mj12bot', 'dotbot',
]);
const HTTP_TOOLS = pattern([
  'curl/', 'wget/', 'python-requests', 'python-urllib', 'python-httpx', 'aiohttp', 'httpie', 'go-http-client', 'okhttp', 'java/', 'libwww',
  'axios/', 'node-fetch', 'undici', '\\bbun/', '\\bdeno/', 'guzzlehttp', 'powershell',
]);

export type AgentKind = 'browser' | 'tool' | 'bot';

export function agentKind(ua: string | null): AgentKind {
  if (!ua || ua.trim() === '') return 'tool';
  if (CRAWLERS.test(ua)) return 'bot';
  return HTTP_TOOLS.test(ua) ? 'tool' : 'browser';
}

/** Not a person following a link: a crawler, an unfurler or a script. */
export const isBotUserAgent = (ua: string | null): boolean => agentKind(ua) !== 'browser';

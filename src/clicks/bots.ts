/**
 * Who sent a request, by User-Agent. Link unfurlers, crawlers and monitors
 * are never a person clicking: recorded as bots, left out of counts. HTTP
 * libraries (and requests with no User-Agent, which every browser sends) are
 * scripts: not a visit when they follow a short link, but exactly who calls
 * an API that is documented to count a click (LinkShrink's expand).
 */
const pattern = (words: string[]) => new RegExp(words.join('|'), 'i');

// Names that are also apps people browse in are matched only in their crawler's form: Cubot phones
// (CUBOT KINGKONG …), Pinterest's and Telegram's in-app browsers ([Pinterest/iOS], Telegram-Android/…)
// and the Yandex search app (YandexSearch/…) are people.
const CRAWLERS = pattern([
  '(?<!cu)bot(?:\\b|/|-)', 'crawler', 'spider', 'slurp', 'facebookexternalhit', 'facebookcatalog', 'meta-externalagent',
  'slack', 'discord', 'telegrambot', 'whatsapp', 'skypeuripreview', 'linkedinbot', 'twitterbot', 'embedly', 'quora link preview',
  'pinterest/0\\.', 'redditbot', 'vkshare', 'w3c_validator', 'preview', 'headlesschrome', 'lighthouse', 'pingdom', 'uptimerobot',
  'scrapy', 'mastodon', 'pleroma', 'bluesky', 'cardyb', 'iframely', 'googleother', 'google-inspectiontool', 'google-pagerenderer',
  'bingpreview', 'applebot', 'yandex(?!search)', 'baiduspider', 'duckduckbot', 'petalbot', 'semrush', 'ahrefs', 'mj12bot', 'dotbot',
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

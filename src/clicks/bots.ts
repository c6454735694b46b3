/**
 * Link unfurlers, crawlers and HTTP tools. A chat app previewing a link is not
 * a person clicking it, so these are recorded as bots and left out of counts.
 */
const BOT_PATTERN = new RegExp(
  [
    'bot\\b', 'bot/', 'bot-', 'crawler', 'spider', 'slurp', 'facebookexternalhit', 'facebookcatalog', 'meta-externalagent',
    'slack', 'discord', 'telegram', 'whatsapp', 'skypeuripreview', 'linkedinbot', 'twitterbot', 'embedly', 'quora link preview',
    'pinterest', 'redditbot', 'vkshare', 'w3c_validator', 'preview', 'headlesschrome', 'lighthouse', 'pingdom', 'uptimerobot',
    'curl/', 'wget/', 'python-requests', 'python-urllib', 'httpie', 'go-http-client', 'okhttp', 'java/', 'libwww', 'axios/',
    'node-fetch', 'undici', 'scrapy', 'mastodon', 'pleroma', 'bluesky', 'cardyb', 'iframely', 'googleother', 'google-inspectiontool',
    'bingpreview', 'applebot', 'yandex', 'baiduspider', 'duckduckbot', 'petalbot', 'semrush', 'ahrefs', 'mj12bot', 'dotbot',
  ].join('|'),
  'i',
);

export function isBotUserAgent(ua: string | null): boolean {
  if (!ua || ua.trim() === '') return true; // browsers always send one
  return BOT_PATTERN.test(ua);
}

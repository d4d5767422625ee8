import type { Activity, SignInUrlResponse, TokenExchangeRequest, TokenResponse, TokenStatus } from 'botbuilder';
import {
  BotFrameworkAuthentication,
  ConnectorFactory,
  JwtTokenValidation,
  UserTokenClient,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
} from 'botframework-connector';

/**
 * The Bot Framework authentication the adapter is given, with its clients kept between turns.
 *
 * CloudAdapter builds a connector client (credentials, a pipeline of request policies) and a user-token
 * client for every turn, also a turn answered in its HTTP response that uses neither; the older
 * BotFrameworkAdapter kept connector clients per service URL. Here the connector clients are kept per
 * (app id, service URL, audience), and the user-token client (sign-in, which this bot does not use) is
 * built the first time a turn asks it for something. Authentication itself is untouched: every request's
 * token is still checked by the library, on every turn; only the outbound clients, which hold no
 * per-turn state (credentials fetch and cache their own tokens), are reused.
 */
export class ReusedClientsAuthentication extends BotFrameworkAuthentication {
  /** Connector clients by app id, service URL and audience, the oldest dropped first beyond the bound. */
  private readonly connectorClients = new Map<string, Promise<ConnectorClient>>();
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly maxClients = 100,
  ) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return { ...result, connectorFactory: this.reusing(result.claimsIdentity, result.connectorFactory) };
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    return { ...result, connectorFactory: this.reusing(result.claimsIdentity, result.connectorFactory) };
  }

  /** Also what proactive messages use (continueConversationAsync, createConversationAsync). */
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(claimsIdentity, this.inner.createConnectorFactory(claimsIdentity));
  }

  override async createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = appIdOf(claimsIdentity);
    return new LazyUserTokenClient(() => this.remembered(this.userTokenClients, key, () => this.inner.createUserTokenClient(claimsIdentity)));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private reusing(claimsIdentity: ClaimsIdentity, factory: ConnectorFactory): ConnectorFactory;
  private reusing(claimsIdentity: ClaimsIdentity, factory: ConnectorFactory | undefined): ConnectorFactory | undefined;
  private reusing(claimsIdentity: ClaimsIdentity, factory: ConnectorFactory | undefined): ConnectorFactory | undefined {
    if (!factory) return undefined;
    const appId = appIdOf(claimsIdentity);
    const remember = (key: string, make: () => Promise<ConnectorClient>) => this.remembered(this.connectorClients, key, make);
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return remember(`${appId}\n${serviceUrl}\n${audience ?? ''}`, () => factory.create(serviceUrl, audience));
      }
    })();
  }

  /** The client under `key`, made once; one that could not be made is not kept, so the next turn tries again. */
  private remembered<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    const kept = cache.get(key);
    if (kept) return kept;
    const made = make();
    cache.set(key, made);
    made.catch(() => cache.get(key) === made && cache.delete(key));
    // A bound, in case service URLs ever came in unbounded variety (anonymous local use accepts any).
    if (cache.size > this.maxClients) cache.delete(cache.keys().next().value!);
    return made;
  }
}

/** The bot's app id as the token gave it (the audience claim, or the app id claim from the Emulator); '' when anonymous. */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return JwtTokenValidation.getAppIdFromClaims(claimsIdentity.claims) ?? '';
}

/** A user-token client made the first time it is used: most turns never use it. */
class LazyUserTokenClient extends UserTokenClient {
  constructor(private readonly real: () => Promise<UserTokenClient>) {
    super();
  }

  async getUserToken(userId: string, connectionName: string, channelId: string, magicCode: string): Promise<TokenResponse> {
    return (await this.real()).getUserToken(userId, connectionName, channelId, magicCode);
  }

  async getSignInResource(connectionName: string, activity: Activity, finalRedirect: string): Promise<SignInUrlResponse> {
    return (await this.real()).getSignInResource(connectionName, activity, finalRedirect);
  }

  async signOutUser(userId: string, connectionName: string, channelId: string): Promise<void> {
    return (await this.real()).signOutUser(userId, connectionName, channelId);
  }

  async getTokenStatus(userId: string, channelId: string, includeFilter: string): Promise<TokenStatus[]> {
    return (await this.real()).getTokenStatus(userId, channelId, includeFilter);
  }

  async getAadTokens(userId: string, connectionName: string, resourceUrls: string[], channelId: string): Promise<Record<string, TokenResponse>> {
    return (await this.real()).getAadTokens(userId, connectionName, resourceUrls, channelId);
  }

  async exchangeToken(userId: string, connectionName: string, channelId: string, exchangeRequest: TokenExchangeRequest): Promise<TokenResponse> {
    return (await this.real()).exchangeToken(userId, connectionName, channelId, exchangeRequest);
  }
}

import Testing

@testable import APIMachinery

@Suite struct AuthenticatorTests {
    let tokens = StaticTokenAuthenticator(tokens: [
        "s3cret": UserInfo(name: "alice", uid: "1", groups: ["devs"]),
        "anon-ish": UserInfo(name: "weird", groups: [UserInfo.unauthenticatedGroup]),
    ])

    static let alice = UserInfo(name: "alice", uid: "1", groups: ["devs", UserInfo.authenticatedGroup])

    @Test(arguments: [
        ("Authorization", "Bearer s3cret", AuthenticationResult.authenticated(alice)),
        ("authorization", "Bearer s3cret", .authenticated(alice)),
        ("AUTHORIZATION", "bearer s3cret", .authenticated(alice)),
        ("Authorization", "  BEARER s3cret  ", .authenticated(alice)),
        ("Authorization", "Bearer s3cret trailing", .authenticated(alice)),  // Kubernetes ignores a third part
        ("Authorization", "Bearer wrong", .failed("invalid bearer token")),
        ("Authorization", "Bearer S3CRET", .failed("invalid bearer token")),
        ("Authorization", "Basic YWxpY2U6cHc=", .noCredentials),
        ("Authorization", "Bearer", .noCredentials),
        ("Authorization", "Bearer ", .noCredentials),
        ("Authorization", "Bearer  s3cret", .noCredentials),  // empty token before the second space
        ("Authorization", "Bearers3cret", .noCredentials),
        ("Authorization", "", .noCredentials),
        ("X-Other", "Bearer s3cret", .noCredentials),
    ])
    func bearerTokens(header: String, value: String, expected: AuthenticationResult) async {
        let result = await tokens.authenticate(headers: [(name: "Accept", value: "*/*"), (name: header, value: value)])
        #expect(result == expected)
    }

    @Test func missingHeader() async {
        #expect(await tokens.authenticate(headers: []) == .noCredentials)
    }

    @Test func firstAuthorizationHeaderCounts() async {
        let result = await tokens.authenticate(headers: [
            (name: "authorization", value: "Bearer s3cret"), (name: "Authorization", value: "Bearer wrong"),
        ])
        #expect(result == .authenticated(Self.alice))
    }

    @Test func authenticatedGroupNotAddedTwiceNorToUnauthenticated() async {
        let already = StaticTokenAuthenticator(tokens: [
            "t": UserInfo(name: "u", groups: [UserInfo.authenticatedGroup, "x"])
        ])
        #expect(
            await already.authenticate(headers: [(name: "Authorization", value: "Bearer t")]).user?.groups
                == [UserInfo.authenticatedGroup, "x"])
        #expect(
            await tokens.authenticate(headers: [(name: "Authorization", value: "Bearer anon-ish")]).user?.groups
                == [UserInfo.unauthenticatedGroup])
    }

    @Test func tokenFile() async throws {
        let file = """
            s3cret,alice,1,"devs,ops"
            t2,bob,2

            "t,3",carol,3,
            ,skipped,4
            t2,bobby,5\r
            """
        let authenticator = try StaticTokenAuthenticator(tokenFile: file)
        #expect(
            authenticator.users["s3cret"]
                == UserInfo(name: "alice", uid: "1", groups: ["devs", "ops", UserInfo.authenticatedGroup]))
        #expect(authenticator.users["t2"] == UserInfo(name: "bobby", uid: "5", groups: [UserInfo.authenticatedGroup]))
        #expect(
            authenticator.users["t,3"] == UserInfo(name: "carol", uid: "3", groups: ["", UserInfo.authenticatedGroup]))
        #expect(authenticator.users.count == 3)
        #expect(throws: TokenFileError.self) { try StaticTokenAuthenticator(tokenFile: "t,user-only\n") }
        #expect(throws: TokenFileError.self) { try StaticTokenAuthenticator(tokenFile: "\"open,user,1\n") }
    }

    @Test func anonymousAndUnion() async {
        let anonymous = AnonymousAuthenticator()
        #expect(await anonymous.authenticate(headers: []) == .authenticated(.anonymous))
        #expect(UserInfo.anonymous == UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"]))

        // kube-apiserver's wiring: invalid credentials are refused even though anonymous is enabled.
        let failOnError = UnionAuthenticator([tokens, anonymous], failOnError: true)
        #expect(await failOnError.authenticate(headers: []) == .authenticated(.anonymous))
        #expect(
            await failOnError.authenticate(headers: [(name: "Authorization", value: "Bearer s3cret")])
                == .authenticated(Self.alice))
        #expect(
            await failOnError.authenticate(headers: [(name: "Authorization", value: "Bearer nope")])
                == .failed("invalid bearer token"))

        // Plain union: a failure lets later authenticators try; if none succeeds the failures are reported.
        let other = StaticTokenAuthenticator(tokens: ["nope": UserInfo(name: "second")])
        let union = UnionAuthenticator([tokens, other])
        #expect(
            await union.authenticate(headers: [(name: "Authorization", value: "Bearer nope")]).user?.name == "second")
        #expect(
            await union.authenticate(headers: [(name: "Authorization", value: "Bearer zzz")])
                == .failed("[invalid bearer token, invalid bearer token]"))
        #expect(await union.authenticate(headers: []) == .noCredentials)
        #expect(
            await UnionAuthenticator([tokens, anonymous]).authenticate(headers: [
                (name: "Authorization", value: "Bearer zzz")
            ]) == .authenticated(.anonymous))
    }

    @Test func serviceAccountUsers() {
        let sa = UserInfo.serviceAccount(namespace: "kube-system", name: "default", uid: "u")
        #expect(sa.name == "system:serviceaccount:kube-system:default")
        #expect(sa.groups == ["system:serviceaccounts", "system:serviceaccounts:kube-system"])
        #expect(sa.serviceAccountReference! == ("kube-system", "default"))
        #expect(UserInfo(name: "alice").serviceAccountReference == nil)
        #expect(UserInfo(name: "system:serviceaccount:a:b:c").serviceAccountReference == nil)
        #expect(UserInfo.systemMastersGroup == "system:masters")
        #expect(UserInfo.authenticatedGroup == "system:authenticated")
        #expect(UserInfo.unauthenticatedGroup == "system:unauthenticated")
        #expect(UserInfo.serviceAccountsGroup == "system:serviceaccounts")
    }
}

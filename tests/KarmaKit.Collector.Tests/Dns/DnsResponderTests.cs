using KarmaKit.Collector.Dns;
using static KarmaKit.Collector.Tests.Dns.DnsPackets;
using static KarmaKit.Collector.Tests.Dns.DnsTestZones;

namespace KarmaKit.Collector.Tests.Dns;

public class DnsResponderTests
{
    private const int NoError = 0, FormErr = 1, NxDomain = 3, NotImp = 4, Refused = 5, BadVers = 16;

    private readonly DnsResponder _sut = Responder();

    [Theory]
    [InlineData("2.0.0.127." + Bl, "127.0.0.2")]
    [InlineData("99.2.0.192." + Bl, "127.0.0.3")]
    [InlineData("2.0.0.127." + Wl, "127.0.0.2")]
    [InlineData("7.100.51.198." + Wl, "127.0.0.2")]
    public void Respond_ListedA_AnswersItsCode(string name, string code)
    {
        var answer = _sut.Ask(Query(name, A));

        Assert.Equal((NoError, true, false), (answer.Rcode, answer.Aa, answer.Ra));
        var record = Assert.Single(answer.Answers);
        Assert.Equal((name + ".", A, code, 300u), (record.Name, record.Type, record.Text, record.Ttl));
        Assert.Empty(answer.Authority);
    }

    [Fact]
    public void Respond_ListedTxt_ReasonAndLookupUrl()
    {
        var answer = _sut.Ask(Query("99.2.0.192." + Bl, Txt));

        var record = Assert.Single(answer.Answers);
        Assert.Equal("virus Eicar - see http://127.0.0.1:8440/lookup/192.0.2.99", record.Text);
    }

    [Fact]
    public void Respond_ListedIPv6Txt_AddressInCanonicalForm()
    {
        var answer = _sut.Ask(Query(Nibbles("2001:db8:1:2:3:4:567:89ab", Bl), Txt));

        Assert.Equal("listed - see http://127.0.0.1:8440/lookup/2001:db8:1:2:3:4:567:89ab", Assert.Single(answer.Answers).Text);
    }

    [Theory]
    [InlineData("::ffff:7f00:2", NoError, 1)]
    [InlineData("::ffff:7f00:1", NxDomain, 0)]
    [InlineData("2001:db8:1:2:3:4:567:89ab", NoError, 1)]
    [InlineData("2001:db8:1:2:3:4:567:89ac", NxDomain, 0)]
    public void Respond_IPv6Nibbles_ListedOrNot(string address, int rcode, int answers)
    {
        var answer = _sut.Ask(Query(Nibbles(address, Bl), A));

        Assert.Equal((rcode, answers), (answer.Rcode, answer.Answers.Count));
    }

    [Fact]
    public void Respond_TestEntryWithoutListing_StillListed_AndNeverListedStaysOut()
    {
        var rogue = new StaticListing([new(KarmaKit.Protocol.Subjects.IpSubject.Parse("127.0.0.1"), ListingAnswer.Listed)], []);
        var sut = Responder(listing: rogue);

        Assert.Equal("127.0.0.2", Assert.Single(sut.Ask(Query("2.0.0.127." + Bl, A)).Answers).Text);
        Assert.Equal(NxDomain, sut.Ask(Query("1.0.0.127." + Bl, A)).Rcode);
    }

    [Theory]
    [InlineData("1.0.0.127." + Bl)]
    [InlineData("4.3.2.1." + Bl + "x")]
    [InlineData("x." + Bl)]
    [InlineData("01.0.0.127." + Bl)]
    [InlineData("256.0.0.127." + Bl)]
    [InlineData("1.2.0.0.127." + Bl)]
    [InlineData("10.2.0.192." + Wl)]
    [InlineData("99.2.0.192." + Wl)]
    public void Respond_UnlistedOrNoAddress_NxDomainWithSoa(string name)
    {
        var answer = _sut.Ask(Query(name, A));

        if (name.EndsWith('x'))
        {
            Assert.Equal(Refused, answer.Rcode);
            return;
        }

        Assert.Equal((NxDomain, true, 0), (answer.Rcode, answer.Aa, answer.Answers.Count));
        var soa = Assert.Single(answer.Authority);
        Assert.Equal(Soa, soa.Type);
        Assert.Equal(60u, soa.Ttl);
        Assert.EndsWith(" 60", soa.Text, StringComparison.Ordinal);
        Assert.Equal(name[(name.IndexOf(name.EndsWith(Wl, StringComparison.Ordinal) ? Wl : Bl, StringComparison.Ordinal))..] + ".", soa.Name);
    }

    [Theory]
    [InlineData("2.0.0.127." + Bl, Aaaa)]
    [InlineData("2.0.0.127." + Bl, Mx)]
    [InlineData("127." + Bl, A)]
    [InlineData("0.0.127." + Bl, A)]
    [InlineData("0.127." + Bl, Txt)]
    [InlineData("b.a.9." + Bl, A)]
    [InlineData("4.3.2.1." + Bl, A)]
    [InlineData("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + Bl, A)]
    [InlineData(Bl, A)]
    [InlineData(Bl, Txt)]
    public void Respond_ExistingNameOtherTypeOrPartial_NoData(string name, ushort type)
    {
        var answer = _sut.Ask(Query(name, type));

        Assert.Equal((NoError, true, 0), (answer.Rcode, answer.Aa, answer.Answers.Count));
        Assert.Equal(Soa, Assert.Single(answer.Authority).Type);
    }

    [Fact]
    public void Respond_ApexSoa_FromListingSerialWithPositiveTtl()
    {
        var answer = _sut.Ask(Query(Bl, Soa));

        var soa = Assert.Single(answer.Answers);
        Assert.Equal((Bl + ".", 300u), (soa.Name, soa.Ttl));
        Assert.Equal("ns1.karmakit.test. hostmaster.karmakit.test. 2026112701 3600 600 604800 60", soa.Text);
    }

    [Fact]
    public void Respond_ApexNs_EveryConfiguredServer()
    {
        var sut = Responder(o => o.Ns = "ns1.karmakit.test, ns2.bl.karmakit.test ns.example.net");

        var answer = sut.Ask(Query(Bl, Ns));

        Assert.Equal(["ns1.karmakit.test.", "ns2.bl.karmakit.test.", "ns.example.net."], answer.Answers.Select(r => r.Text));
        Assert.All(answer.Answers, r => Assert.Equal(Bl + ".", r.Name));
    }

    [Theory]
    [InlineData("2.0.0.127." + Bl, A)]
    [InlineData(Bl, Soa)]
    [InlineData("127." + Bl, 0)]
    [InlineData("1.0.0.127." + Bl, 0)]
    public void Respond_Any_OneRRsetOnly(string name, ushort expected)
    {
        var answer = _sut.Ask(Query(name, Any));

        Assert.Equal(expected == 0 ? 0 : 1, answer.Answers.Count);
        if (expected != 0)
        {
            Assert.Equal(expected, answer.Answers[0].Type);
        }
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("karmakit.test")]
    [InlineData("2.0.0.127.xbl.karmakit.test")]
    [InlineData(".")]
    public void Respond_OutsideTheZones_Refused(string name)
    {
        var answer = _sut.Ask(Query(name, A));

        Assert.Equal((Refused, false, 0, 0), (answer.Rcode, answer.Aa, answer.Answers.Count, answer.Authority.Count));
        Assert.Single(answer.Questions);
    }

    [Theory]
    [InlineData(3)] // CHAOS: version.bind and friends
    [InlineData(4)]
    public void Respond_OtherClass_Refused(ushort qclass) =>
        Assert.Equal(Refused, _sut.Ask(Query("2.0.0.127." + Bl, A, qclass: qclass)).Rcode);

    [Fact]
    public void Respond_ClassAny_AnsweredInIn() =>
        Assert.Equal(1, Assert.Single(_sut.Ask(Query("2.0.0.127." + Bl, A, qclass: 255)).Answers).Class);

    [Theory]
    [InlineData(252)]
    [InlineData(251)]
    public void Respond_ZoneTransferOverThisPath_Refused(ushort type) => Assert.Equal(Refused, _sut.Ask(Query(Bl, type)).Rcode);

    [Fact]
    public void Respond_MixedCase_MatchesAndEchoesTheQuestion()
    {
        var answer = _sut.Ask(Query("2.0.0.127.Bl.KarmaKit.TEST", A, id: 7));

        Assert.Equal(("2.0.0.127.Bl.KarmaKit.TEST.", 7), (answer.Questions[0].Name, (int)answer.Id));
        Assert.Equal("2.0.0.127.Bl.KarmaKit.TEST.", Assert.Single(answer.Answers).Name);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Respond_RecursionDesired_CopiedNeverAvailable(bool rd)
    {
        var answer = _sut.Ask(Query("2.0.0.127." + Bl, A, rd: rd));

        Assert.Equal((rd, false, true), (answer.Rd, answer.Ra, answer.Qr));
    }

    [Theory]
    [InlineData((ushort)512)]
    [InlineData((ushort)4096)]
    [InlineData((ushort)0)]
    public void Respond_Edns_OptEchoedWithOurSize(ushort clientSize)
    {
        var answer = _sut.Ask(Query("2.0.0.127." + Bl, A, edns: clientSize));

        var opt = Assert.IsType<DnsAnswer.Record>(answer.Opt);
        Assert.Equal((1232, 0u), (opt.Class, opt.Ttl));
    }

    [Fact]
    public void Respond_NoEdns_NoOpt() => Assert.Null(_sut.Ask(Query("2.0.0.127." + Bl, A)).Opt);

    [Fact]
    public void Respond_EdnsVersion1_BadVers()
    {
        var answer = _sut.Ask(Query("2.0.0.127." + Bl, A, edns: 1232, ednsVersion: 1));

        Assert.Equal((BadVers, 0), (answer.Rcode, answer.Answers.Count));
    }

    [Fact]
    public void Respond_AnswerOverTheUdpLimit_TruncatedThenWholeOverTcp()
    {
        var names = string.Join(',', Enumerable.Range(0, 12).Select(i => $"ns{i}.{new string('n', 40)}.example.net"));
        var sut = Responder(o => o.Ns = names);

        var udp = sut.Ask(Query(Bl, Ns));
        var edns = sut.Ask(Query(Bl, Ns, edns: 1232));
        var tcp = sut.Ask(Query(Bl, Ns), tcp: true);

        Assert.Equal((true, 0, 1), (udp.Tc, udp.Answers.Count, udp.Questions.Count));
        Assert.Equal((false, 12), (edns.Tc, edns.Answers.Count));
        Assert.Equal((false, 12), (tcp.Tc, tcp.Answers.Count));
        Assert.True(udp.Bytes.Length <= 512);
    }

    [Fact]
    public void Respond_ClientAsksForLessThan512_Gets512()
    {
        var names = string.Join(',', Enumerable.Range(0, 6).Select(i => $"ns{i}.{new string('n', 40)}.example.net"));
        var sut = Responder(o => o.Ns = names);

        var answer = sut.Ask(Query(Bl, Ns, edns: 100));

        Assert.Equal((false, 6), (answer.Tc, answer.Answers.Count));
    }

    [Fact]
    public void Respond_LongReason_TxtCutAt255BytesOnACharacterBoundary()
    {
        var listing = new StaticListing([new(Virus, new ListingAnswer(ListingAnswer.DefaultCode, new string('é', 200)))], []);
        var sut = Responder(listing: listing);

        var record = Assert.Single(sut.Ask(Query("99.2.0.192." + Bl, Txt)).Answers);

        Assert.True(record.Data[0] <= 255);
        Assert.Equal(record.Data.Length - 1, record.Data[0]);
        Assert.DoesNotContain('\uFFFD', record.Text);
    }

    [Fact]
    public void Respond_SerialChanges_SoaFollows()
    {
        var listing = DnsTestZones.Listing(serial: 10);
        var sut = Responder(listing: listing);

        listing.Replace(DnsList.Block, [new(Virus, ListingAnswer.Listed)]);

        Assert.StartsWith("ns1.karmakit.test. hostmaster.karmakit.test. 11 ", Assert.Single(sut.Ask(Query(Bl, Soa)).Answers).Text, StringComparison.Ordinal);
        Assert.Equal(NxDomain, sut.Ask(Query(Nibbles("2001:db8:1:2:3:4:567:89ab", Bl), A)).Rcode);
    }

    [Fact]
    public void Respond_NotifyOpcode_NotImpHeaderOnly()
    {
        var query = Query(Bl, Soa);
        query[2] = 4 << 3; // NOTIFY

        var answer = _sut.Ask(query);

        Assert.Equal((NotImp, 4, 0), (answer.Rcode, answer.Opcode, answer.Questions.Count));
    }

    [Fact]
    public void Respond_TwoQuestions_FormErr() => Assert.Equal(FormErr, _sut.Ask(With(Query(Bl, A), 4, 2)).Rcode);

    [Fact]
    public void Respond_OptAsQuestionType_FormErr() => Assert.Equal(FormErr, _sut.Ask(Query(Bl, 41)).Rcode);

    [Fact]
    public void Respond_Response_Dropped()
    {
        var query = Query(Bl, A);
        query[2] |= 0x80;

        Assert.Empty(_sut.RespondBytes(query));
    }

    [Fact]
    public void Respond_NestedZones_LongestWins()
    {
        var sut = Responder(o => o.AllowZone = "wl." + Bl);

        var answer = sut.Ask(Query("7.100.51.198.wl." + Bl, A));

        Assert.Equal("127.0.0.2", Assert.Single(answer.Answers).Text);
    }

    [Fact]
    public void Respond_NoAllowZone_AllowNamesRefused() =>
        Assert.Equal(Refused, Responder(o => o.AllowZone = "").Ask(Query("2.0.0.127." + Wl, A)).Rcode);
}

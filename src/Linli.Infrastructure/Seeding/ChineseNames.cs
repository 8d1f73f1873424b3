namespace Linli.Infrastructure.Seeding;

/// <summary>Name material for demo data: common surnames weighted roughly by frequency, and given-name characters.</summary>
static class ChineseNames
{
    public static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
        "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
        "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
        "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "欧阳",
    ];

    /// <summary>Cumulative weights: the first surnames are far more common, as in real life.</summary>
    public static readonly double[] SurnameWeights = BuildWeights(Surnames.Length);

    public static readonly string MaleChars = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘";
    public static readonly string FemaleChars = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽";

    static double[] BuildWeights(int n)
    {
        var w = new double[n];
        double total = 0;
        for (var i = 0; i < n; i++) total += 1.0 / (i + 8);
        double acc = 0;
        for (var i = 0; i < n; i++) { acc += 1.0 / (i + 8) / total; w[i] = acc; }
        w[^1] = 1;
        return w;
    }

    public static string Surname(Random rng)
    {
        var x = rng.NextDouble();
        var i = Array.BinarySearch(SurnameWeights, x);
        return Surnames[i < 0 ? ~i : i];
    }

    public static string Given(Random rng, bool male)
    {
        var chars = male ? MaleChars : FemaleChars;
        var one = chars[rng.Next(chars.Length)].ToString();
        return rng.NextDouble() < 0.35 ? one : one + chars[rng.Next(chars.Length)];
    }
}
